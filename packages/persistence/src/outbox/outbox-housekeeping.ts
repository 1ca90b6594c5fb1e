import { metrics } from '@tributary/observability';
import type { DataSource } from 'typeorm';
import type { RelayEvent } from './outbox-relay.options.js';

export interface OutboxHousekeepingOptions {
  /** Its pool runs the queries: they need no lease, so standbys measure the backlog too. */
  readonly dataSource: DataSource;
  readonly table: string;
  readonly metricLabel: string;
  readonly metricsIntervalMs: number;
  readonly retentionMs: number;
  readonly cleanupIntervalMs: number;
  readonly cleanupBatchSize: number;
  /** Only the active relay deletes: two relays deleting the same chunks would only contend. */
  readonly isActive: () => boolean;
  readonly emit: (event: RelayEvent) => void;
}

/**
 * What every relay does beside publishing: reports the outbox backlog (count and oldest row) and, while
 * active, deletes published rows past their retention.
 */
export class OutboxHousekeeping {
  readonly #options: OutboxHousekeepingOptions;
  #stopping = false;
  readonly #running = new Set<Promise<void>>();
  readonly #timers = new Set<NodeJS.Timeout>();

  constructor(options: OutboxHousekeepingOptions) {
    this.#options = options;
  }

  /** Measures the backlog now and then every metricsIntervalMs; cleans up every cleanupIntervalMs. */
  start(): void {
    this.#every(this.#options.metricsIntervalMs, 'metrics', () => this.#measureBacklog(), true);
    this.#every(this.#options.cleanupIntervalMs, 'cleanup', () => this.#cleanup(), false);
  }

  /** Schedules nothing more from now on; resolves when the tasks in flight have settled. */
  stop(): Promise<void> {
    this.#stopping = true;
    for (const timer of this.#timers) clearTimeout(timer);
    return Promise.allSettled([...this.#running]).then(() => undefined);
  }

  /** Pending count and oldest creation time. Both read the small partial index: the count is exact up to
   * 10 000 rows and estimated from the id range above that, so a large backlog does not make it slow. */
  async #measureBacklog(): Promise<void> {
    const table = this.#options.table;
    const [row] = (await this.#options.dataSource.query(
      `SELECT (SELECT count(*) FROM (SELECT 1 FROM ${table} WHERE published_at IS NULL LIMIT 10000) AS capped)::int
                AS capped_count,
              (SELECT max(id) - min(id) + 1 FROM ${table} WHERE published_at IS NULL)::bigint AS id_span,
              (SELECT extract(epoch FROM created_at) FROM ${table}
                 WHERE published_at IS NULL ORDER BY id LIMIT 1)::float8 AS oldest`,
    )) as [{ capped_count: number; id_span: string | null; oldest: number | null }];
    const label = { outbox: this.#options.metricLabel };
    const pending = row.capped_count < 10000 ? row.capped_count : Number(row.id_span ?? row.capped_count);
    metrics.outboxPending.set(label, pending);
    // Nothing pending: the time of this check, so the age reads 0 (not "No data") and keeps growing if the
    // checks stop, which a stuck process should show.
    metrics.outboxOldestPendingCreated.set(label, row.oldest ?? Date.now() / 1000);
  }

  /** Deletes published rows past the retention in bounded chunks; only the active relay does it. */
  async #cleanup(): Promise<void> {
    if (!this.#options.isActive()) return;
    const table = this.#options.table;
    let deleted = 0;
    for (;;) {
      // created_at bounds the scan through its BRIN index; published_at decides.
      const result = (await this.#options.dataSource.query(
        `DELETE FROM ${table} WHERE id IN (
           SELECT id FROM ${table}
           WHERE created_at < now() - make_interval(secs => $1::float8 / 1000)
             AND published_at < now() - make_interval(secs => $1::float8 / 1000)
           LIMIT $2)`,
        [this.#options.retentionMs, this.#options.cleanupBatchSize],
      )) as [unknown[], number];
      const count = result[1] ?? 0;
      deleted += count;
      if (count < this.#options.cleanupBatchSize || this.#stopping || !this.#options.isActive()) break;
    }
    if (deleted > 0) this.#options.emit({ type: 'cleanup', deleted });
  }

  /** Runs `task` now (if asked) and then every `intervalMs`, never overlapping, until stop(). */
  #every(intervalMs: number, name: 'metrics' | 'cleanup', task: () => Promise<void>, now: boolean): void {
    const tick = () => {
      if (this.#stopping) return;
      const run = task()
        .catch((error: unknown) => this.#options.emit({ type: 'background-failed', task: name, error }))
        .finally(() => {
          this.#running.delete(run);
          schedule();
        });
      this.#running.add(run);
    };
    const schedule = () => {
      if (this.#stopping) return;
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        tick();
      }, intervalMs);
      timer.unref();
      this.#timers.add(timer);
    };
    if (now) tick();
    else schedule();
  }
}
