import { retentionEnv } from '@tributary/persistence';
import { z } from 'zod';

const day = 24 * 60 * 60 * 1000;

/**
 * How long closed (resolved or discarded) dead letters keep their payload and their row
 * (docs/architecture.md#retention). Pending and replaying ones are never touched: they still need their bytes.
 */
export const deadLetterRetentionEnv = {
  // A month covers the usual questions about a closed incident (what did the record hold?) and no more:
  // the payload is personal data nobody will replay.
  DLQ_SCRUB_AFTER_DAYS: z.coerce.number().positive().default(30),
  // The row without its payload still says what failed, how and who closed it, for a quarter.
  DLQ_DELETE_AFTER_DAYS: z.coerce.number().positive().default(90),
  RETENTION_INTERVAL_MS: retentionEnv.RETENTION_INTERVAL_MS,
  RETENTION_BATCH_SIZE: retentionEnv.RETENTION_BATCH_SIZE,
  RETENTION_BATCH_PAUSE_MS: retentionEnv.RETENTION_BATCH_PAUSE_MS,
};

export interface DeadLetterRetentionConfig {
  readonly scrubAfterMs: number;
  readonly deleteAfterMs: number;
  readonly intervalMs: number;
  readonly batchSize: number;
  readonly batchPauseMs: number;
}

type Values = z.infer<z.ZodObject<typeof deadLetterRetentionEnv>>;

/** The config part; a deletion before the scrub is a problem reported with the others. */
export function deadLetterRetentionConfig(values: Values, problems: string[]): DeadLetterRetentionConfig {
  if (values.DLQ_DELETE_AFTER_DAYS < values.DLQ_SCRUB_AFTER_DAYS) {
    problems.push('DLQ_DELETE_AFTER_DAYS: must not be shorter than DLQ_SCRUB_AFTER_DAYS');
  }
  return {
    scrubAfterMs: values.DLQ_SCRUB_AFTER_DAYS * day,
    deleteAfterMs: values.DLQ_DELETE_AFTER_DAYS * day,
    intervalMs: values.RETENTION_INTERVAL_MS,
    batchSize: values.RETENTION_BATCH_SIZE,
    batchPauseMs: values.RETENTION_BATCH_PAUSE_MS,
  };
}
