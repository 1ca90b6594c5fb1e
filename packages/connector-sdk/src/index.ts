export { defineConnector } from './define-connector.js';
export type {
  CommitContext,
  ConnectorCredentials,
  ConnectorDefinition,
  CredentialCheck,
  ConnectorHandler,
  ConnectorHandlers,
  HandlerContext,
} from './define-connector.js';
export { ConnectorErrorCode, ProviderError, isProviderError, malformedAnswer } from './errors.js';
export {
  DEFAULT_LOOKUP_MARGIN_MS,
  firstAttemptAt,
  keyMayHaveExpired,
  withEffectGuard,
} from './late-replay.js';
export type {
  ConnectorIdempotency,
  IdempotentByProvider,
  KeyLifetimeIdempotency,
  LateReplayPlan,
} from './late-replay.js';
export { ProviderHttpClient } from './http/provider-http-client.js';
export type { ProviderHttpClientOptions, ProviderLimits } from './http/provider-http-client.js';
export type { ProviderRequest, ProviderResponse, RequestPriority } from './http/provider-request.js';
export { DEFAULT_LOW_PRIORITY_RESERVE } from './http/provider-admission.js';
export { withRequestPriority } from './http/request-priority.js';
export { IDLE_REPLICA_MAX_REQUESTS_PER_SECOND, quotaShareOf } from './http/quota-share.js';
export type { AdaptivePacingOptions } from './http/adaptive-pacer.js';
export type { Clock } from './http/clock.js';
export { idempotencyKeyFor } from './http/idempotency-key.js';
export { DEFAULT_REMAINING_HEADERS, rateLimitRemaining, retryAfterMs } from './http/rate-limit-headers.js';
export type { HeaderBag } from './http/rate-limit-headers.js';
export { loadConnectorConfig } from './runtime/connector-config.js';
export type { ConnectorConfig, ConnectorPlatformConfig } from './runtime/connector-config.js';
export type { CheckedCredential } from './runtime/credentials.js';
export { connectorHandler, runConnector, topicsOf } from './runtime/run-connector.js';
export type {
  ConnectorReader,
  ConnectorReaders,
  ExternalRefLookup,
  ReadPage,
  ReadRecord,
  ReadRequest,
  ReaderContext,
} from './reconcile/reader.js';
export { decodeCursor, encodeCursor, pageSizeFor } from './reconcile/cursor.js';
export { readPage, toReadRequest } from './reconcile/read-page.js';
export type { ReadCompleted, ReadRequested } from './reconcile/read-page.js';
export { connectorReadHandler, reconciliationGroupOf } from './reconcile/read-handler.js';
export type { ReadHandlerDeps } from './reconcile/read-handler.js';
export type { RunConnectorOptions } from './runtime/run-connector.js';
export { describeConnectorConformance } from './conformance/connector-conformance.js';
export type {
  ConformanceApp,
  ConformanceHarness,
  ConformanceSim,
  ConnectorConformanceOptions,
  LedgerEntry,
} from './conformance/connector-conformance.js';
