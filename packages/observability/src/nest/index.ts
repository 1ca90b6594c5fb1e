// The Nest side of observability: the global module serving /metrics and /health/*, the readiness registry it
// reads, the ordered shutdown, the app bootstrap and the Nest logger adapter. Kept off the root export so
// that code without Nest (the kafka client, scripts, the CLI) never loads it.
export { ObservabilityModule } from './observability.module.js';
export type { ObservabilityModuleAsyncOptions } from './observability.module.js';
export { OBSERVABILITY_OPTIONS } from './observability.options.js';
export type { ObservabilityModuleOptions } from './observability.options.js';
export { ReadinessRegistry } from './readiness.registry.js';
export { HealthController } from './health.controller.js';
export { MetricsController } from './metrics.controller.js';
export { ShutdownService, SHUTDOWN_PHASES } from './shutdown.service.js';
export type { ShutdownPhase, ShutdownStep } from './shutdown.service.js';
export { bootstrapApp, instrumentHttp, SHUTDOWN_SIGNALS } from './bootstrap.js';
export type { BootstrapOptions } from './bootstrap.js';
export { PinoLoggerService } from './nest-logger.service.js';
