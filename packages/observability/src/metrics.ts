import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The platform's standard metrics (DESIGN §9). One registry per process; every package records into
 * these instances so that names, units and label sets cannot drift between apps.
 * Labels are bounded (provider, topic, consumer_group, outcome, code): never ids.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry });

const durationBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const metrics = {
  messagesConsumed: new Counter({
    name: 'tributary_messages_consumed_total',
    help: 'Records handled by a reliable consumer, by outcome (processed, duplicate, retried, dead_lettered, undecodable).',
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
  partitionPauses: new Counter({
    name: 'tributary_partition_pauses_total',
    help: 'Partitions paused by a consumer, by reason (retry_due, rate_limited, backpressure).',
    labelNames: ['consumer_group', 'reason'] as const,
    registers: [registry],
  }),
  messagesPublished: new Counter({
    name: 'tributary_messages_published_total',
    help: 'Records acknowledged by Kafka (acks=all), by topic.',
    labelNames: ['topic'] as const,
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
    help: 'Creation time of the oldest unpublished outbox row; absent when nothing is pending.',
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
  schemaCacheLookups: new Counter({
    name: 'tributary_schema_registry_lookups_total',
    help: 'Schema lookups by result (hit, miss, error).',
    labelNames: ['result'] as const,
    registers: [registry],
  }),
} as const;

export type Metrics = typeof metrics;
