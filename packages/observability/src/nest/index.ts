// The Nest side of observability: the global module serving /metrics and /health/*, the readiness registry
// it reads and the Nest logger adapter. The bootstrap and the ordered shutdown are the service kit's
// (@tributary/service-kit/nest). Kept off the root export so that code without Nest (the kafka client,
// scripts, the CLI) never loads it.
export { ObservabilityModule } from './observability.module.js';
export type { ObservabilityModuleAsyncOptions } from './observability.module.js';
export { OBSERVABILITY_OPTIONS } from './observability.options.js';
export type { ObservabilityModuleOptions } from './observability.options.js';
export { ReadinessRegistry } from './readiness.registry.js';
export { HealthController } from './health.controller.js';
export { MetricsController } from './metrics.controller.js';
export { PinoLoggerService } from './nest-logger.service.js';
