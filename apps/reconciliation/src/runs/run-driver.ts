import { TributaryError } from '@tributary/contracts';
import type { ReconciledEntityName } from '@tributary/contracts';
import type { Logger } from '@tributary/observability';
import { withClusterLock } from '@tributary/persistence';
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

/** The cluster lock under which one replica at a time decides whether an entity's scheduled run is due. */
export function scheduleLockName(entity: ReconciledEntityName): string {
  return `reconciliation.schedule:${entity}`;
}

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
 * the open-findings gauge. Every replica runs it: the schedule decides under a cluster lock per entity, a
 * due page is claimed with `FOR UPDATE SKIP LOCKED`, and one running run per entity is a unique index, so
 * replicas never walk an owner twice.
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

  // Deciding that a run is due and starting it happen in one transaction under the entity's cluster lock: a
  // replica deciding from a snapshot taken before another replica's run started, and starting after that run
  // already ended, would otherwise walk the owner a second time (the unique index only refuses overlapping
  // runs). A replica finding the lock held skips the entity this tick (docs/architecture.md#several-replicas).
  async #startDueRuns(): Promise<void> {
    const { dataSource, runs } = this.options;
    for (const entity of this.options.entities) {
      const outcome = await withClusterLock(dataSource, scheduleLockName(entity), async (manager) => {
        // Looked at before the watermark, each read a fresh snapshot: a run that ends between the two reads
        // has already moved the watermark, so no run that just ended is started again.
        if (await runs.isRunning(manager, entity)) return undefined;
        const now = Date.now();
        const mark = await runs.watermark(manager, entity);
        let due: 'full' | 'incremental' | undefined;
        if (!mark?.lastFullAt || now - mark.lastFullAt.getTime() >= this.options.fullSweepIntervalMs)
          due = 'full';
        else {
          const last = await runs.lastStart(manager, entity, 'incremental');
          const every = this.options.incrementalIntervalMs[entity];
          if (every !== undefined && (!last || now - last.getTime() >= every)) due = 'incremental';
        }
        if (!due) return undefined;
        return this.options.service.start(
          { entity, mode: due, trigger: 'schedule', requestedBy: 'schedule' },
          manager,
        );
      }).catch((error: unknown) => {
        // A run of the entity is still walking (started by a person, or by the schedule earlier).
        if (error instanceof TributaryError && error.code === RunErrorCode.alreadyRunning) return undefined;
        throw error;
      });
      if (outcome?.ran && outcome.value) {
        const run = outcome.value;
        this.options.logger.info({ runId: run.id, entity, mode: run.mode }, 'reconciliation run started');
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
