import { reconciledEntities } from '@tributary/contracts';
import type { ReconciledEntityName } from '@tributary/contracts';
import type { AuditLog } from '@tributary/persistence';
import type { DataSource, EntityManager } from 'typeorm';
import type { RunMode, RunTrigger } from './domain/run.js';
import type { PageRequester } from './page-requester.js';
import type { Run, RunsRepository } from './runs.repository.js';

export interface StartRun {
  readonly entity: ReconciledEntityName;
  readonly mode: RunMode;
  /** Reports only, whatever the entity's repair setting. */
  readonly dryRun?: boolean;
  readonly trigger: RunTrigger;
  readonly requestedBy: string;
  /** Incremental: the owner's change times to read (inclusive); default from the watermark to now. */
  readonly from?: Date;
  readonly to?: Date;
  readonly ids?: readonly string[];
  readonly reason?: string;
}

/** Starts runs (from the schedule or a person) and asks for their first page in the same transaction. */
export class RunsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly runs: RunsRepository,
    private readonly requester: PageRequester,
    private readonly audit: AuditLog,
    private readonly options: {
      repairEntities: readonly ReconciledEntityName[];
      overlapMs: number;
      initialLookbackMs: number;
    },
  ) {}

  /** In its own transaction, or in `manager`'s (the scheduler's, which holds its cluster lock). */
  async start(input: StartRun, manager?: EntityManager): Promise<Run> {
    if (manager) return this.#start(input, manager);
    return this.dataSource.transaction((own) => this.#start(input, own));
  }

  async #start(input: StartRun, manager: EntityManager): Promise<Run> {
    {
      let from = input.from;
      const to = input.mode === 'incremental' ? (input.to ?? new Date()) : input.to;
      if (input.mode === 'incremental' && !from) {
        const mark = await this.runs.watermark(manager, input.entity);
        const base = mark?.watermark.getTime() ?? to!.getTime() - this.options.initialLookbackMs;
        // Inclusive bounds and an overlap: edits that share the watermark's timestamp are read again, never missed.
        from = new Date(base - this.options.overlapMs);
      }
      const run = await this.runs.start(manager, {
        entity: input.entity,
        provider: reconciledEntities[input.entity].owner,
        trigger: input.trigger,
        mode: input.mode,
        dryRun: input.dryRun ?? !this.options.repairEntities.includes(input.entity),
        windowFrom: from ?? null,
        windowTo: to ?? null,
        ids: input.ids ?? [],
        requestedBy: input.requestedBy,
      });
      if (input.trigger === 'api') {
        await this.audit.record(
          {
            actor: input.requestedBy,
            action: 'reconciliation.run',
            reason: input.reason ?? 'started through the API',
            target: `run:${run.id}`,
            details: { entity: run.entity, mode: run.mode, dryRun: run.dryRun, ids: run.ids.length },
          },
          manager,
        );
      }
      await this.requester.request(manager, run);
      return run;
    }
  }
}
