import type { LagEstimator } from '@tributary/observability';

/**
 * A run of polls that found a partition's log end at one offset: first and last time it was seen there.
 * The estimator's timelines keep exactly this (a run of equal samples collapses to its first and last), so
 * one row per run holds the whole interpolation table and an idle partition costs one row, not one a poll.
 */
export interface OffsetRun {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly firstSeenMs: number;
  readonly lastSeenMs: number;
}

/**
 * Where latest-offset samples outlive the process (PostgresOffsetHistory), so the lag in seconds of a
 * stopped group does not start again from zero when the exporter restarts.
 */
export interface OffsetHistory {
  /** Every run kept, any order. */
  load(): Promise<OffsetRun[]>;
  /** One poll's log ends, seen at `atMs`. */
  record(
    latest: ReadonlyArray<{ topic: string; partition: number; offset: number }>,
    atMs: number,
  ): Promise<void>;
  /** Drops runs last seen before `beforeMs` (superseded offsets, deleted partitions); answers how many. */
  prune(beforeMs: number): Promise<number>;
}

/**
 * Feeds stored runs into an estimator as the samples they stand for, oldest first per partition, so the
 * estimator ends in the state the previous process left. Answers the number of partitions restored.
 */
export function restoreHistory(estimator: LagEstimator, runs: readonly OffsetRun[]): number {
  const byPartition = new Map<string, OffsetRun[]>();
  for (const run of runs) {
    const key = `${run.topic}\u0000${run.partition}`;
    byPartition.set(key, [...(byPartition.get(key) ?? []), run]);
  }
  for (const partitionRuns of byPartition.values()) {
    // By time, not by offset: after a topic was recreated its offsets start again lower, and the estimator
    // starts its timeline over when it sees the log end go backwards in time order.
    partitionRuns.sort((a, b) => a.firstSeenMs - b.firstSeenMs || a.lastSeenMs - b.lastSeenMs);
    for (const run of partitionRuns) {
      estimator.observeLatestOffset(run.topic, run.partition, run.offset, run.firstSeenMs);
      if (run.lastSeenMs > run.firstSeenMs) {
        estimator.observeLatestOffset(run.topic, run.partition, run.offset, run.lastSeenMs);
      }
    }
  }
  return byPartition.size;
}
