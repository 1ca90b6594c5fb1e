export { metrics, registry } from './metrics.js';
export type { Metrics } from './metrics.js';

export { createLogger, childLogger } from './logging/logger.js';
export type { CreateLoggerOptions, Logger, LogLevel } from './logging/logger.js';
export { SECRET_KEYS, REDACTED, createRedactor } from './logging/redaction.js';
export type { Redactor } from './logging/redaction.js';
export {
  runWithLogContext,
  currentLogContext,
  logBindings,
  traceIdFromTraceparent,
} from './logging/log-context.js';
export type { LogContext } from './logging/log-context.js';
export { PinoLoggerService } from './logging/nest-logger.service.js';

export { LagEstimator, OffsetTimeline } from './lag/lag-estimator.js';
export type { LagEstimate, LagEstimatorOptions, OffsetSample } from './lag/lag-estimator.js';
export { ConsumerLagCollector } from './lag/consumer-lag.collector.js';
export type {
  CommittedOffset,
  ConsumerLagCollectorOptions,
  ConsumerLagSource,
  PartitionOffset,
} from './lag/consumer-lag.collector.js';
export { createConsumerLagMetrics } from './lag/consumer-lag.metrics.js';
export type { ConsumerLagMetrics } from './lag/consumer-lag.metrics.js';

export { ObservabilityModule } from './observability.module.js';
export type { ObservabilityModuleAsyncOptions } from './observability.module.js';
export { OBSERVABILITY_OPTIONS } from './observability.options.js';
export type { ObservabilityModuleOptions } from './observability.options.js';
export { ReadinessRegistry } from './health/readiness.registry.js';
export { postgresReadiness, kafkaReadiness, schemaRegistryReadiness } from './health/readiness.js';
export type {
  KafkaClusterDescription,
  ReadinessCheck,
  ReadinessCheckOptions,
  SchemaRegistryReadinessOptions,
  SqlQueryable,
} from './health/readiness.js';
export { HealthController } from './health/health.controller.js';
export { MetricsController } from './http/metrics.controller.js';
export { ShutdownService, SHUTDOWN_PHASES } from './shutdown/shutdown.service.js';
export type { ShutdownPhase, ShutdownStep } from './shutdown/shutdown.service.js';
export { bootstrapApp, instrumentHttp, SHUTDOWN_SIGNALS } from './shutdown/bootstrap.js';
export type { BootstrapOptions } from './shutdown/bootstrap.js';
