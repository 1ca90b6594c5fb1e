import { registry } from '@tributary/observability';
import { Counter, Gauge } from 'prom-client';

/**
 * The dead-letter handler's metrics, in the shared registry so `/metrics` serves them with the standard ones
 * (docs/architecture.md#observability names: bounded labels, base units, timestamps as `_timestamp_seconds`).
 * They live here rather than in @tributary/observability because only this app records them.
 */
/** The outcomes `tributary_dlq_replays_total` counts, each exposed as 0 from a group's first dead letter. */
export const REPLAY_OUTCOMES = [
  'requested',
  'sent',
  'abandoned',
  'resolved',
  'failed_again',
  'stalled',
] as const;

export const dlqMetrics = {
  /** Refreshed from the table, so every replica reports the same numbers: aggregate with max, not sum. */
  messages: new Gauge({
    name: 'tributary_dlq_messages',
    help: 'Dead letters stored, by consumer group, status (pending, replaying, replay_stalled, resolved, discarded) and error code.',
    labelNames: ['consumer_group', 'status', 'code'] as const,
    registers: [registry],
  }),
  oldestPending: new Gauge({
    name: 'tributary_dlq_oldest_pending_failed_timestamp_seconds',
    help: 'First failure time of the oldest pending dead letter per consumer group; the time of the last refresh (age 0) for a group with none pending.',
    labelNames: ['consumer_group'] as const,
    registers: [registry],
  }),
  captured: new Counter({
    name: 'tributary_dlq_captured_total',
    help: 'DLQ records read, by what they did to the table (created, failed_again, redelivered).',
    labelNames: ['consumer_group', 'code', 'outcome'] as const,
    registers: [registry],
  }),
  replays: new Counter({
    name: 'tributary_dlq_replays_total',
    help: 'Replay outcomes per dead letter: requested, sent (to its retry tier), abandoned (its tier topic does not exist: not sent, back to pending with the error), resolved (processed after replay), failed_again, stalled (sent, no outcome within REPLAY_STALL_AFTER_MS).',
    labelNames: ['consumer_group', 'outcome'] as const,
    registers: [registry],
  }),
  /** Per replica: sum. Not 0 only when a replica lost claims it was still using (see replay-lease.ts). */
  fencedMarks: new Counter({
    name: 'tributary_dlq_replay_marks_fenced_total',
    help: 'Rows a replica could not mark (replayed, failed, given back, signalled) because its claim on them had expired and another replica took them over.',
    registers: [registry],
  }),
  discards: new Counter({
    name: 'tributary_dlq_discards_total',
    help: 'Dead letters discarded by an operator.',
    labelNames: ['consumer_group'] as const,
    registers: [registry],
  }),
} as const;
