import { TributaryError, topics } from '@tributary/contracts';
import { DEFAULT_RETRY_TIERS, retryTierRetentionMs } from '@tributary/kafka';
import { z } from 'zod';
import { PersistenceErrorCode } from '../errors.js';

const day = 24 * 60 * 60 * 1000;
const week = 7 * day;

/**
 * The shortest inbox retention that is still safe for a group with these retry tiers: an event can come back
 * to a group as long as a copy of it is readable, in its source topic (an offsets reset reads it again; the
 * longest catalogue retention) or in one of the group's retry tiers (`retryTierRetentionMs`: a week, or ten
 * times a long tier's delay). Each copy was appended before the event was processed, so both are gone this
 * long after `processed_at`. A row deleted earlier would let such a redelivery apply its effect a second time.
 */
export function inboxRetentionFloorFor(retryTiers: readonly string[]): number {
  return (
    Math.max(...topics.map((topic) => topic.retentionMs)) +
    Math.max(week, ...retryTiers.map((delay) => retryTierRetentionMs(delay)))
  );
}

/** The floor with the default retry tiers (what a group configured otherwise checks again, consumer config). */
export const inboxRetentionFloorMs = inboxRetentionFloorFor(DEFAULT_RETRY_TIERS);

const days = z.coerce.number().positive();
const positiveInt = z.coerce.number().int().positive();

/**
 * The environment of the platform tables' retention (docs/architecture.md#retention), as a zod shape: the
 * service kit's backbone config spreads it, so its problems are reported with every other variable's.
 */
export const retentionEnv = {
  // Floor plus a margin, rounded to a number an operator recognises: 40 days with today's catalogue.
  INBOX_RETENTION_DAYS: days
    .refine(
      (value) => value * day >= inboxRetentionFloorMs,
      `at least ${inboxRetentionFloorMs / day} (the longest topic retention plus a retry tier's week); a redelivery after a shorter one would apply twice`,
    )
    .default(Math.ceil(inboxRetentionFloorMs / day / 10) * 10),
  // Longer than a year, so a yearly review (an audit, a dispute about last year's action) still finds it.
  AUDIT_LOG_RETENTION_DAYS: days.default(400),
  RETENTION_INTERVAL_MS: positiveInt.default(3_600_000),
  // Small enough that each delete is a short transaction holding few row locks; the pause lets writers and
  // autovacuum keep up on a large first run.
  RETENTION_BATCH_SIZE: positiveInt.max(100_000).default(1_000),
  RETENTION_BATCH_PAUSE_MS: z.coerce.number().int().min(0).default(100),
};

export interface RetentionConfig {
  readonly inboxRetentionMs: number;
  readonly auditLogRetentionMs: number;
  readonly intervalMs: number;
  readonly batchSize: number;
  readonly batchPauseMs: number;
}

/** The retention settings from `env`; every problem is reported at once, by variable, and stops the boot. */
export function retentionConfigFrom(env: Readonly<Record<string, string | undefined>>): RetentionConfig {
  const parsed = z.object(retentionEnv).safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new TributaryError(
      PersistenceErrorCode.retentionConfigInvalid,
      `Invalid retention configuration:\n  ${problems.join('\n  ')}`,
      { retriable: false },
    );
  }
  return retentionConfigOf(parsed.data);
}

/** The settings from values already parsed with `retentionEnv` (a service's whole config schema). */
export function retentionConfigOf(values: z.output<z.ZodObject<typeof retentionEnv>>): RetentionConfig {
  return {
    inboxRetentionMs: values.INBOX_RETENTION_DAYS * day,
    auditLogRetentionMs: values.AUDIT_LOG_RETENTION_DAYS * day,
    intervalMs: values.RETENTION_INTERVAL_MS,
    batchSize: values.RETENTION_BATCH_SIZE,
    batchPauseMs: values.RETENTION_BATCH_PAUSE_MS,
  };
}
