import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The platform's standard metrics (docs/architecture.md#observability). One registry per process; every
 * package records into these instances so that names, units and label sets cannot drift between apps. Labels
 * are bounded (provider, topic, consumer_group, outcome, code): never ids.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry });
// prom-client also reports these gauges with a `_total` suffix, which Prometheus reserves for counters
// (`promtool check metrics` flags them); the same figures stay available, by type, without the suffix.
for (const misnamed of [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
]) {
  registry.removeSingleMetric(misnamed);
}

const durationBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const metrics = {
  messagesConsumed: new Counter({
    name: 'tributary_messages_consumed_total',
    help: 'Records handled by a reliable consumer, by outcome (processed, duplicate, retried, dead_lettered, undecodable, parked, discarded: the signal of a discarded dead letter).',
    labelNames: ['topic', 'consumer_group', 'outcome'] as const,
    registers: [registry],
  }),
  messageProcessDuration: new Histogram({
    name: 'tributary_message_process_duration_seconds',
    help: 'Time from handing a record to its handler until the handler transaction committed.',
    labelNames: ['topic', 'consumer_group', 'outcome'] as const,
    buckets: durationBuckets,
    registers: [registry],
  }),
  retries: new Counter({
    name: 'tributary_retries_total',
    help: 'Retries, by where they happen: in_process or the name of the retry tier topic.',
    labelNames: ['consumer_group', 'tier', 'code'] as const,
    registers: [registry],
  }),
  deadLetters: new Counter({
    name: 'tributary_dead_letters_total',
    help: 'Records a consumer sent to its dead-letter topic, by error code.',
    labelNames: ['consumer_group', 'code'] as const,
    registers: [registry],
  }),
  recordsInFlight: new Gauge({
    name: 'tributary_consumer_records_in_flight',
    help: 'Records a reliable consumer with key concurrency is handling right now, by group and topic (records waiting behind one of their key are not counted).',
    labelNames: ['consumer_group', 'topic'] as const,
    registers: [registry],
  }),
  parkedKeys: new Gauge({
    name: 'tributary_consumer_parked_keys',
    help: 'Keys of a consumer group whose later records wait behind a head in a retry tier or, under the block policy, in the DLQ (ordering by key). Group-wide: every replica reports the same figure; take max by group.',
    labelNames: ['consumer_group'] as const,
    registers: [registry],
  }),
  parkedRecords: new Gauge({
    name: 'tributary_consumer_parked_records',
    help: 'Records of a consumer group parked behind the head of their key. Group-wide: take max by group.',
    labelNames: ['consumer_group'] as const,
    registers: [registry],
  }),
  oldestParkedAge: new Gauge({
    name: 'tributary_consumer_oldest_parked_age_seconds',
    help: 'Age of the oldest record parked behind the head of its key in a consumer group; 0 when none is. Group-wide: take max by group.',
    labelNames: ['consumer_group'] as const,
    registers: [registry],
  }),
  partitionPauses: new Counter({
    name: 'tributary_partition_pauses_total',
    help: 'Partitions paused by a consumer, by reason (retry_due, rate_limited, backpressure).',
    labelNames: ['consumer_group', 'reason'] as const,
    registers: [registry],
  }),
  consumerTopicMissing: new Gauge({
    name: 'tributary_consumer_topic_missing',
    help: '1 while a topic a consumer group owns (a retry tier, its DLQ or its DLQ resolution topic) is missing from the cluster and its consumer could not recreate it; 0 once it exists.',
    labelNames: ['consumer_group', 'topic'] as const,
    registers: [registry],
  }),
  consumerTopicsRecreated: new Counter({
    name: 'tributary_consumer_topics_recreated_total',
    help: 'Topics a consumer group owns (retry tiers, DLQ, DLQ resolution) that its consumer found deleted and recreated.',
    labelNames: ['consumer_group', 'topic'] as const,
    registers: [registry],
  }),
  messagesPublished: new Counter({
    name: 'tributary_messages_published_total',
    help: 'Records acknowledged by Kafka (acks=all), by topic.',
    labelNames: ['topic'] as const,
    registers: [registry],
  }),
  retentionRowsDeleted: new Counter({
    name: 'tributary_retention_rows_deleted_total',
    help: 'Rows deleted, or scrubbed of their personal data, by the retention jobs, by table (inbox, audit_log, dead_letters, dead_letters_scrubbed).',
    labelNames: ['table'] as const,
    registers: [registry],
  }),
  outboxPending: new Gauge({
    name: 'tributary_outbox_pending_messages',
    help: 'Outbox rows not yet published.',
    labelNames: ['outbox'] as const,
    registers: [registry],
  }),
  outboxOldestPendingCreated: new Gauge({
    name: 'tributary_outbox_oldest_pending_created_timestamp_seconds',
    help: 'Creation time of the oldest unpublished outbox row; the time of the last check when nothing is pending (age 0).',
    labelNames: ['outbox'] as const,
    registers: [registry],
  }),
  outboxPublishDuration: new Histogram({
    name: 'tributary_outbox_publish_duration_seconds',
    help: 'Time from an outbox row commit to its Kafka acknowledgement.',
    labelNames: ['outbox'] as const,
    buckets: durationBuckets,
    registers: [registry],
  }),
  outboxRelayActive: new Gauge({
    name: 'tributary_outbox_relay_active',
    help: '1 while this process holds the relay lock of the outbox, else 0.',
    labelNames: ['outbox'] as const,
    registers: [registry],
  }),
  inboxDuplicates: new Counter({
    name: 'tributary_inbox_duplicates_total',
    help: 'Redelivered events found in the inbox and skipped.',
    labelNames: ['consumer_group'] as const,
    registers: [registry],
  }),
  webhooksReceived: new Counter({
    name: 'tributary_webhooks_received_total',
    help: 'Webhook deliveries by provider and outcome (accepted, duplicate, rejected_signature, malformed, invalid, not_configured, unknown_provider, too_large, unsupported_media_type, rate_limited, failed).',
    labelNames: ['provider', 'outcome'] as const,
    registers: [registry],
  }),
  webhookSignatureFailures: new Counter({
    name: 'tributary_webhook_signature_failures_total',
    help: 'Webhook requests refused for their signature (401, nothing stored), by provider and code (WEBHOOK_SIGNATURE_MISSING, WEBHOOK_SIGNATURE_MALFORMED, WEBHOOK_SIGNATURE_INVALID, WEBHOOK_SIGNATURE_STALE).',
    labelNames: ['provider', 'code'] as const,
    registers: [registry],
  }),
  webhookEvents: new Counter({
    name: 'tributary_webhook_events_total',
    help: 'Provider events in accepted deliveries, by what became of them (mapped, ignored, unresolved, unknown_type, invalid, failed, duplicate).',
    labelNames: ['provider', 'status'] as const,
    registers: [registry],
  }),
  apiEventsReceived: new Counter({
    name: 'tributary_api_events_received_total',
    help: 'Events posted to the internal events API, by catalogue type and outcome (accepted, replayed_idempotent, rejected).',
    labelNames: ['event_type', 'outcome'] as const,
    registers: [registry],
  }),
  httpRequestDuration: new Histogram({
    name: 'tributary_http_request_duration_seconds',
    help: 'HTTP request duration from arrival to response, by route template and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: durationBuckets,
    registers: [registry],
  }),
  rateLimitedRequests: new Counter({
    name: 'tributary_rate_limited_requests_total',
    help: 'Requests refused with 429, by limiter (webhook provider, api key, replay).',
    labelNames: ['limiter'] as const,
    registers: [registry],
  }),
  eventLogReplays: new Counter({
    name: 'tributary_event_log_replays_total',
    help: 'Event log entries replayed, by provider and result (republished, remapped, skipped).',
    labelNames: ['provider', 'result'] as const,
    registers: [registry],
  }),
  providerRequestDuration: new Histogram({
    name: 'tributary_provider_request_duration_seconds',
    help: 'Provider API call attempts, in-process retries included, by provider, operation and status: the HTTP status, timeout, network_error (no answer), or circuit_open (refused by the open breaker without a call, observed as 0 s). Calls a rate limit held back are in tributary_provider_throttled_total.',
    labelNames: ['provider', 'operation', 'status'] as const,
    buckets: durationBuckets,
    registers: [registry],
  }),
  providerRateLimitRemaining: new Gauge({
    name: 'tributary_provider_rate_limit_remaining',
    help: "Requests left in the provider's current rate-limit window, as its last response reported.",
    labelNames: ['provider'] as const,
    registers: [registry],
  }),
  providerRateLimitLimit: new Gauge({
    name: 'tributary_provider_rate_limit_limit',
    help: 'Requests the provider allows in its current rate-limit window, as its last response reported (RateLimit-Limit, X-RateLimit-Limit, X-HubSpot-RateLimit-Max): with tributary_provider_rate_limit_remaining, the share of the quota used.',
    labelNames: ['provider'] as const,
    registers: [registry],
  }),
  providerThrottled: new Counter({
    name: 'tributary_provider_throttled_total',
    help: 'Provider calls held back by a rate limit, by reason (token_bucket, pacing, retry_after, status_429).',
    labelNames: ['provider', 'reason'] as const,
    registers: [registry],
  }),
  providerPacingRate: new Gauge({
    name: 'tributary_provider_pacing_rate',
    help: 'Requests per second the provider client paces its calls to: the configured limit, or lower while adapting to 429s. Absent while calls are not paced.',
    labelNames: ['provider'] as const,
    registers: [registry],
  }),
  providerRateLimitShare: new Gauge({
    name: 'tributary_provider_rate_limit_share',
    help: "Share (0..1) of the provider's quota this connector replica uses: the source partitions Kafka assigned it over all of them, re-split on every rebalance; 1 for a lone replica. Its configured rate limit, and a rate learned from 429s, scale with it.",
    labelNames: ['provider'] as const,
    registers: [registry],
  }),
  providerRetries: new Counter({
    name: 'tributary_provider_retries_total',
    help: 'In-process retries of provider calls, by provider, operation and error code.',
    labelNames: ['provider', 'operation', 'code'] as const,
    registers: [registry],
  }),
  circuitBreakerState: new Gauge({
    name: 'tributary_circuit_breaker_state',
    help: 'Circuit breaker state: 1 for the current state (closed, open, half_open), 0 for the others.',
    labelNames: ['name', 'state'] as const,
    registers: [registry],
  }),
  reconciliationReads: new Counter({
    name: 'tributary_reconciliation_reads_total',
    help: "Reconciliation pages a connector answered, by provider, entity and outcome (ok: read; failed: answered with the failure code, e.g. the provider's 429 or the low-priority reserve).",
    labelNames: ['provider', 'entity', 'outcome'] as const,
    registers: [registry],
  }),
  reconciliationReadRecords: new Counter({
    name: 'tributary_reconciliation_read_records_total',
    help: 'Owner objects in the reconciliation pages a connector answered, by provider and entity.',
    labelNames: ['provider', 'entity'] as const,
    registers: [registry],
  }),
  schemaCacheLookups: new Counter({
    name: 'tributary_schema_registry_lookups_total',
    help: 'Schema lookups by result (hit, miss, error).',
    labelNames: ['result'] as const,
    registers: [registry],
  }),
} as const;

export type Metrics = typeof metrics;
