// Framework-free: nothing reachable from here may load @nestjs/* (an architecture rule of `npm run lint`
// holds this), so the kafka and persistence packages, scripts and the CLI use metrics,
// logs and lag without Nest. The Nest module, controllers, shutdown service and bootstrap are
// `@tributary/observability/nest`.
export { metrics, registry } from './metrics.js';
export type { Metrics } from './metrics.js';
export { exposeZeros, labelSets } from './zeros/zero-series.js';

export { createLogger, childLogger } from './logging/logger.js';
export type { CreateLoggerOptions, Logger, LogLevel } from './logging/logger.js';
export { PERSONAL_DATA_FIELDS, SECRET_KEYS, REDACTED, createRedactor } from './logging/redaction.js';
export type { Redactor } from './logging/redaction.js';
export {
  runWithLogContext,
  currentLogContext,
  logBindings,
  traceIdFromTraceparent,
} from './logging/log-context.js';
export type { LogContext } from './logging/log-context.js';

export {
  activeSpanIds,
  activeTraceparent,
  contextFromTraceparent,
  formatTraceparent,
  recordSpanError,
  startSpan,
  tracer,
  withSpan,
} from './tracing/trace-context.js';
export type { SpanKindName, SpanOptions } from './tracing/trace-context.js';
export { TRACE_SAMPLERS, startTracing } from './tracing/tracing-sdk.js';
export type {
  OtlpExporterOptions,
  TraceSamplerName,
  Tracing,
  TracingOptions,
} from './tracing/tracing-sdk.js';

export { LagEstimator, OffsetTimeline } from './lag/lag-estimator.js';
export type { LagEstimate, LagEstimatorOptions, OffsetSample } from './lag/lag-estimator.js';
// The lag exporter itself (polling, history, leadership) is apps/lag-exporter; these are its parts any
// code may reuse: the estimator, and the metric families dashboards and rules are held to.
export { CONSUMER_GROUP_STATES, createConsumerLagMetrics } from './lag/consumer-lag.metrics.js';
export type { ConsumerGroupState, ConsumerLagMetrics } from './lag/consumer-lag.metrics.js';

export { postgresReadiness, kafkaReadiness, schemaRegistryReadiness } from './health/readiness.js';
export type {
  KafkaClusterDescription,
  ReadinessCheck,
  ReadinessCheckOptions,
  SchemaRegistryReadinessOptions,
  SqlQueryable,
} from './health/readiness.js';
