/** Where a run is. Only `running` runs take pages; the others are final. */
export const RUN_STATUSES = ['running', 'succeeded', 'failed', 'guardrail_tripped', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const RUN_MODES = ['incremental', 'full', 'ids'] as const;
export type RunMode = (typeof RUN_MODES)[number];

export const RUN_TRIGGERS = ['schedule', 'api'] as const;
export type RunTrigger = (typeof RUN_TRIGGERS)[number];

export interface Guardrails {
  /** Repairs one run may emit at most. */
  readonly maxRepairs: number;
  /** Share of compared records that may disagree before the run stops (0..1). */
  readonly maxMismatchRatio: number;
  /** The ratio is judged only from this many compared records on: three of five is noise, not mass drift. */
  readonly minComparedForRatio: number;
}

export interface RunCounts {
  readonly compared: number;
  readonly mismatches: number;
  /** Repairs the run would emit (held until it completes). */
  readonly repairsPending: number;
}

/**
 * Why a run must stop before it repairs anything, or undefined. Mass drift means the platform or the read
 * is broken (a webhook endpoint down for days, a mapping bug, a provider answering empty pages), and
 * repairing hundreds of records on that basis would make it worse: a person looks first.
 */
export function guardrailTripped(counts: RunCounts, guardrails: Guardrails): string | undefined {
  if (counts.repairsPending > guardrails.maxRepairs) {
    return `${counts.repairsPending} repairs exceed the limit of ${guardrails.maxRepairs} a run`;
  }
  if (
    counts.compared >= guardrails.minComparedForRatio &&
    counts.mismatches / counts.compared > guardrails.maxMismatchRatio
  ) {
    const percent = (ratio: number) => `${Math.round(ratio * 1000) / 10} %`;
    return `${counts.mismatches} of ${counts.compared} compared records disagree (${percent(counts.mismatches / counts.compared)}), above ${percent(guardrails.maxMismatchRatio)}`;
  }
  return undefined;
}

/** Page read failures in a row before the run gives up: the objects stay unverifiable, never mismatches. */
export const MAX_PAGE_ATTEMPTS = 6;

/** Backoff before a failed page is asked for again: a second, doubling, up to `maxMs`. */
export function pageRetryDelayMs(attempt: number, maxMs: number): number {
  return Math.min(maxMs, 1_000 * 2 ** Math.max(0, attempt - 1));
}

/**
 * The connector refused the read to keep the provider's quota for live traffic (or the provider answered
 * 429). That is back-pressure, not a broken read: the page waits and is asked for again, never failing the
 * run; a run held back for long shows as stale reconciliation.
 */
export const THROTTLED_CODE = 'PROVIDER_RATE_LIMITED';

/** Backoff before a throttled page is asked for again: short at first (the budget refills in seconds). */
export function throttledRetryDelayMs(throttles: number, maxMs: number): number {
  return Math.min(maxMs, 500 * 2 ** Math.max(0, throttles - 1));
}
