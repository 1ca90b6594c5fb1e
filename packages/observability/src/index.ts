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
