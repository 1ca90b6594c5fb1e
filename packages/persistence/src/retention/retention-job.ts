import { setTimeout as delay } from 'node:timers/promises';
import { exposeZeros, metrics } from '@tributary/observability';
import type { DataSource, EntityManager } from 'typeorm';
import { withClusterLock } from '../cluster-lock.js';

/**
 * One table's retention: what is past `horizonMs` goes, a bounded batch per call. Deleting is the usual
 * step; a policy may also null what a row holds (personal data) and keep the row.
 */
export interface RetentionPolicy {
  /** The `table` label of `tributary_retention_rows_deleted_total`, and part of the cluster lock's name. */
  readonly name: string;
  readonly horizonMs: number;
  /** Handles at most `limit` rows older than `cutoff` through `manager`; returns how many it handled. */
  apply(manager: EntityManager, cutoff: Date, limit: number): Promise<number>;
}

export interface RetentionJobOptions {
  readonly dataSource: DataSource;
  readonly policies: readonly RetentionPolicy[];
  readonly intervalMs: number;
  readonly batchSize: number;
  readonly batchPauseMs: number;
  /** The clock horizons are measured from; tests pass a fake one. */
  readonly now?: () => Date;
  readonly onEvent?: (event: RetentionEvent) => void;
}

export type RetentionEvent =
  | { readonly type: 'done'; readonly removed: Readonly<Record<string, number>> }
  | { readonly type: 'failed'; readonly policy: string; readonly error: unknown };

/** What one run did per policy: rows handled, or `skipped` when another replica held the policy's lock. */
export type RetentionRun = Readonly<Record<string, number | 'skipped'>>;

/**
 * Runs retention policies every `intervalMs` (docs/architecture.md#retention). Each batch is its own short
 * transaction under the policy's cluster lock (`retention:<name>`), so one replica at a time deletes and the
 * others skip their turn instead of contending for the same rows; between batches the lock is free, row
 * locks are released and the job pauses, so writers and autovacuum are never held up by a long run.
 */
export class RetentionJob {
  readonly #options: RetentionJobOptions;
  readonly #stopping = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<RetentionRun> | undefined;

  constructor(options: RetentionJobOptions) {
    this.#options = options;
    exposeZeros(
      metrics.retentionRowsDeleted,
      options.policies.map((policy) => ({ table: policy.name })),
    );
  }

  /** Runs once now and then every intervalMs, never overlapping, until stop(). */
  start(): void {
    const tick = () => {
      if (this.#stopping.signal.aborted) return;
      void this.runOnce().finally(() => {
        if (this.#stopping.signal.aborted) return;
        this.#timer = setTimeout(tick, this.#options.intervalMs);
        this.#timer.unref();
      });
    };
    tick();
  }

  /** Schedules nothing more and cuts the pause of a run in flight; resolves when that run has ended. */
  async stop(): Promise<void> {
    this.#stopping.abort();
    clearTimeout(this.#timer);
    await this.#running?.catch(() => undefined);
  }

  /** One pass over every policy; a call while a pass runs gets that pass. Failures are reported, not thrown. */
  runOnce(): Promise<RetentionRun> {
    this.#running ??= this.#run().finally(() => (this.#running = undefined));
    return this.#running;
  }

  async #run(): Promise<RetentionRun> {
    const now = (this.#options.now ?? (() => new Date()))().getTime();
    const run: Record<string, number | 'skipped'> = {};
    for (const policy of this.#options.policies) {
      if (this.#stopping.signal.aborted) break;
      try {
        run[policy.name] = await this.#apply(policy, new Date(now - policy.horizonMs));
      } catch (error) {
        this.#options.onEvent?.({ type: 'failed', policy: policy.name, error });
      }
    }
    const removed = Object.fromEntries(
      Object.entries(run).filter((entry): entry is [string, number] => typeof entry[1] === 'number'),
    );
    this.#options.onEvent?.({ type: 'done', removed });
    return run;
  }

  async #apply(policy: RetentionPolicy, cutoff: Date): Promise<number | 'skipped'> {
    const { dataSource, batchSize, batchPauseMs } = this.#options;
    let total = 0;
    for (let batch = 0; ; batch++) {
      const outcome = await withClusterLock(dataSource, `retention:${policy.name}`, (manager) =>
        policy.apply(manager, cutoff, batchSize),
      );
      // Held by another replica: it is working through the same rows, this one has nothing to add.
      if (!outcome.ran) return batch === 0 ? 'skipped' : total;
      total += outcome.value;
      if (outcome.value > 0) metrics.retentionRowsDeleted.inc({ table: policy.name }, outcome.value);
      if (outcome.value < batchSize || this.#stopping.signal.aborted) return total;
      await delay(batchPauseMs, undefined, { signal: this.#stopping.signal }).catch(() => undefined);
    }
  }
}
