import type { RetryTier } from './retry-topics.js';

export interface Classification {
  readonly code: string;
  readonly retriable: boolean;
  readonly retryAfterMs?: number;
}

export type FailureAction =
  /** Rate limited: hold the partition for `pauseMs`, then read the same record again. */
  | { readonly kind: 'pause'; readonly pauseMs: number }
  /** Hand the record to a retry tier, due at `dueAt` (epoch ms). */
  | { readonly kind: 'retry'; readonly topic: string; readonly dueAt: number }
  | { readonly kind: 'dead-letter'; readonly topic: string };

export interface FailureContext {
  readonly classification: Classification;
  /** The topic the record was read from: an original topic or one of the group's tiers. */
  readonly topic: string;
  readonly tiers: readonly RetryTier[];
  readonly dlqTopic: string;
  readonly now: number;
  readonly rateLimitPause: { readonly minMs: number; readonly maxMs: number };
}

/**
 * What to do with a record whose in-process retries are spent
 * (docs/architecture.md#retries-and-dead-letters). The decision reads the error's classification, never its
 * class, and the tier the record sits on, never a counter: a record replayed from the DLQ into the first tier
 * walks the tiers again whatever its attempt header says.
 */
export function decideOnFailure(context: FailureContext): FailureAction {
  const { classification, tiers } = context;
  if (classification.retriable && classification.retryAfterMs !== undefined) {
    const { minMs, maxMs } = context.rateLimitPause;
    return { kind: 'pause', pauseMs: clamp(classification.retryAfterMs, minMs, maxMs) };
  }
  if (!classification.retriable) return { kind: 'dead-letter', topic: context.dlqTopic };
  const next = tiers[tiers.findIndex((tier) => tier.topic === context.topic) + 1];
  if (!next) return { kind: 'dead-letter', topic: context.dlqTopic };
  return { kind: 'retry', topic: next.topic, dueAt: context.now + next.delayMs };
}

/**
 * How long to hold a tier partition before its head record is due; 0 when it is due. Capped at the tier's
 * delay: a record cannot legitimately be due later than that after it was written, and a skewed clock or a
 * bogus header must not park the partition for longer.
 */
export function pauseUntilDue(dueAt: number | undefined, now: number, tierDelayMs: number): number {
  if (dueAt === undefined || dueAt <= now) return 0;
  return Math.min(dueAt - now, tierDelayMs);
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}
