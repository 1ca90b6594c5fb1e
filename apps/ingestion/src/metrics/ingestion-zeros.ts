import { eventTypes } from '@tributary/contracts';
import { exposeZeros, labelSets, metrics } from '@tributary/observability';

/** What a delivery of a served provider can come to (`tributary_webhooks_received_total{outcome}`). */
const DELIVERY_OUTCOMES = [
  'accepted',
  'duplicate',
  'rejected_signature',
  'malformed',
  'invalid',
  'too_large',
  'unsupported_media_type',
  'rate_limited',
  'failed',
];
const EVENT_STATUSES = ['mapped', 'ignored', 'unresolved', 'unknown_type', 'invalid', 'failed', 'duplicate'];
const REPLAY_RESULTS = ['republished', 'remapped', 'skipped'];
const API_OUTCOMES = ['accepted', 'replayed_idempotent', 'rejected'];

/**
 * Zeros for every label value ingestion knows at boot: its served providers, their outcomes, its limiters
 * and the catalogue's event types, so the ingestion dashboard and its alerts read 0 rather than "No data"
 * before the first delivery (docs/architecture.md#observability).
 */
export function exposeIngestionZeros(providers: readonly string[]): void {
  exposeZeros(metrics.webhooksReceived, labelSets({ provider: providers, outcome: DELIVERY_OUTCOMES }));
  exposeZeros(metrics.webhookEvents, labelSets({ provider: providers, status: EVENT_STATUSES }));
  exposeZeros(metrics.eventLogReplays, labelSets({ provider: providers, result: REPLAY_RESULTS }));
  exposeZeros(
    metrics.rateLimitedRequests,
    labelSets({ limiter: ['replay', 'api-key', ...providers.map((provider) => `webhook:${provider}`)] }),
  );
  exposeZeros(metrics.apiEventsReceived, labelSets({ event_type: eventTypes, outcome: API_OUTCOMES }));
}
