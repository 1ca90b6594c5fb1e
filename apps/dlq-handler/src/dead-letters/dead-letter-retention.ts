import { affectedRows } from '@tributary/persistence';
import type { RetentionPolicy } from '@tributary/persistence';
import type { DeadLetterRetentionConfig } from './dead-letter-retention.config.js';

const day = 24 * 60 * 60 * 1000;

/** When a closed row closed: discarded is final, and a resolved row that failed again is pending, not closed. */
const closedAt = 'GREATEST(resolved_at, discarded_at)';
const closed = `status IN ('resolved', 'discarded')`;

/**
 * Retention of closed dead letters, payload first (docs/architecture.md#retention). The scrub nulls what came
 * from the record, where personal data lives: key, value (raw and decoded), headers, and the error's message
 * and stack and a failed replay's error, which can quote the payload. What happened to the row stays: ids, topics, offsets, error code,
 * status, who closed it, and why the payload is gone. Rows still owing their discard signal are kept whole
 * until it is sent. Unqualified names: the DataSource's search path is the app's schema.
 */
export function deadLetterRetentionPolicies(
  config: Pick<DeadLetterRetentionConfig, 'scrubAfterMs' | 'deleteAfterMs'>,
): RetentionPolicy[] {
  const scrubDays = Math.round((config.scrubAfterMs / day) * 100) / 100;
  return [
    {
      name: 'dead_letters_scrubbed',
      horizonMs: config.scrubAfterMs,
      apply: (manager, cutoff, limit) =>
        affectedRows(
          manager,
          `UPDATE dead_letters SET raw_key = NULL, raw_value = NULL, decoded_value = NULL, decode_error = NULL,
             headers = '[]'::jsonb, error_message = NULL, error_stack = NULL, replay_error_message = NULL,
             scrubbed_at = $3, scrub_reason = 'payload removed ' || $4 || ' days after the dead letter was ' || status
               || ' (DLQ_SCRUB_AFTER_DAYS)'
           WHERE id = ANY(ARRAY(
             SELECT id FROM dead_letters
             WHERE ${closed} AND ${closedAt} < $1 AND scrubbed_at IS NULL AND NOT discard_signal_pending
             LIMIT $2 FOR UPDATE SKIP LOCKED))`,
          [cutoff, limit, new Date(cutoff.getTime() + config.scrubAfterMs), String(scrubDays)],
        ),
    },
    {
      name: 'dead_letters',
      horizonMs: config.deleteAfterMs,
      apply: (manager, cutoff, limit) =>
        affectedRows(
          manager,
          `DELETE FROM dead_letters WHERE id = ANY(ARRAY(
             SELECT id FROM dead_letters
             WHERE ${closed} AND ${closedAt} < $1 AND NOT discard_signal_pending
             LIMIT $2 FOR UPDATE SKIP LOCKED))`,
          [cutoff, limit],
        ),
    },
  ];
}
