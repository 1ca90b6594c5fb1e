import type { EventOf } from '@tributary/contracts';
import type { Outbox } from '@tributary/persistence';
import type { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { RECONCILIATION_SOURCE } from './domain/repair.js';
import type { Run, RunsRepository } from './runs.repository.js';

const modes = { incremental: 'INCREMENTAL', full: 'FULL', ids: 'IDS' } as const;

/**
 * Asks the owner's connector for a run's current page, through the outbox in the caller's transaction: the
 * request leaves only if the checkpoint it follows from committed. A page not answered within the timeout
 * is asked for again with the same page number; whichever answer comes first is taken.
 */
export class PageRequester {
  constructor(
    private readonly outbox: Outbox,
    private readonly runs: RunsRepository,
    private readonly options: { pageSize: number; pageTimeoutMs: number },
  ) {}

  async request(manager: EntityManager, run: Run): Promise<void> {
    const event: EventOf<'reconciliation.read.requested'> = {
      id: uuidv7(),
      type: 'reconciliation.read.requested',
      source: RECONCILIATION_SOURCE,
      subject: run.id,
      time: new Date().toISOString(),
      correlationId: run.id,
      data: {
        runId: run.id,
        pageNo: run.pageNo,
        provider: run.provider,
        entity: run.entity,
        mode: modes[run.mode],
        cursor: run.cursor,
        changedFrom: run.windowFrom?.getTime() ?? null,
        changedTo: run.windowTo?.getTime() ?? null,
        ids: [...run.ids],
        pageSize: this.options.pageSize,
        requestedAt: Date.now(),
      },
    };
    await this.outbox.publishEvent(manager, event);
    await this.runs.requested(manager, run.id, this.options.pageTimeoutMs);
  }
}
