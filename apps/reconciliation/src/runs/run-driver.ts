import { TributaryError } from '@tributary/contracts';
import type { ReconciledEntityName } from '@tributary/contracts';
import type { Logger } from '@tributary/observability';
import type { DataSource } from 'typeorm';
import type { FindingsRepository } from '../findings/findings.repository.js';
import {
  exposeReconciliationZeros,
  reconciliationMetrics as metrics,
  setOpenFindings,
} from '../metrics/reconciliation.metrics.js';
import type { PageRequester } from './page-requester.js';
import { RunErrorCode } from './runs.repository.js';
import type { RunsRepository } from './runs.repository.js';
import type { RunsService } from './runs.service.js';

export interface RunDriverOptions {
  readonly dataSource: DataSource;
  readonly runs: RunsRepository;
  readonly findings: FindingsRepository;
  readonly service: RunsService;
  readonly requester: PageRequester;
  readonly logger: Logger;
  readonly entities: readonly ReconciledEntityName[];
  readonly schedule: boolean;
  readonly incrementalIntervalMs: Readonly<Partial<Record<ReconciledEntityName, number>>>;
  readonly fullSweepIntervalMs: number;
  readonly intervalMs: number;
  readonly metricsRefreshMs: number;
}

/**
 * The reconciler's clock: starts scheduled runs when due, asks again for pages whose answer is overdue (a
 * connector restarted, a reconciler killed mid-walk: the run resumes from its checkpoint), and refreshes
 * the open-findings gauge. Every replica runs it; a due run is claimed with `FOR UPDATE SKIP LOCKED` and
 * one running run per entity is a unique index, so replicas never walk an owner twice.
 */
export class RunDriver {
  #timer: NodeJS.Timeout | undefined;
  #tick: Promise<void> = Promise.resolve();
  #stopped = false;
  #lastMetrics = 0;

  constructor(private readonly options: RunDriverOptions) {}

  start(): void {
    exposeReconciliationZeros(this.options.entities);
    setOpenFindings(this.options.entities, []);
    for (const entity of this.options.entities) {
      const incremental = this.options.incrementalIntervalMs[entity];
      if (incremental !== undefined)
        metrics.interval.set({ entity, mode: 'incremental' }, incremental / 1000);
      metrics.interval.set({ entity, mode: 'full' }, this.options.fullSweepIntervalMs / 1000);
    }
    const loop = () => {
      if (this.#stopped) return;
      this.#tick = this.tick()
        .catch((error: unknown) =>
          this.options.logger.warn({ err: error }, 'reconciliation driver tick failed'),
        )
        .finally(() => {
          if (!this.#stopped) this.#timer = setTimeout(loop, this.options.intervalMs);
        });
    };
    loop();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#tick;
  }

  /** One pass: due schedules, due pages, the gauge. Exposed for tests that drive time themselves. */
  async tick(): Promise<void> {
    if (this.options.schedule) await this.#startDueRuns();
    await this.#requestDuePages();
    if (Date.now() - this.#lastMetrics >= this.options.metricsRefreshMs) await this.#refreshGauges();
  }

  async #startDueRuns(): Promise<void> {
    const { dataSource, runs } = this.options;
    for (const entity of this.options.entities) {
      const now = Date.now();
      const due = await dataSource.transaction(async (manager) => {
        const mark = await runs.watermark(manager, entity);
        if (!mark?.lastFullAt || now - mark.lastFullAt.getTime() >= this.options.fullSweepIntervalMs)
          return 'full';
        const last = await runs.lastStart(manager, entity, 'incremental');
        const every = this.options.incrementalIntervalMs[entity];
        if (every !== undefined && (!last || now - last.getTime() >= every)) return 'incremental';
        return undefined;
      });
      if (!due) continue;
      try {
        const run = await this.options.service.start({
          entity,
          mode: due,
          trigger: 'schedule',
          requestedBy: 'schedule',
        });
        this.options.logger.info({ runId: run.id, entity, mode: due }, 'reconciliation run started');
      } catch (error) {
        // Another run of the entity is still walking (or another replica just started this one).
        if (error instanceof TributaryError && error.code === RunErrorCode.alreadyRunning) continue;
        throw error;
      }
    }
  }

  async #requestDuePages(): Promise<void> {
    const { dataSource, runs, requester } = this.options;
    await dataSource.transaction(async (manager) => {
      for (const run of await runs.claimDue(manager, 20)) await requester.request(manager, run);
    });
  }

  async #refreshGauges(): Promise<void> {
    this.#lastMetrics = Date.now();
    const counts = await this.options.findings.openCounts(this.options.dataSource.manager);
    setOpenFindings(this.options.entities, counts);
  }
}
