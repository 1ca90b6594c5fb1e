import { Controller, Inject, Req } from '@nestjs/common';
import { TributaryError } from '@tributary/contracts';
import { ProblemError, actorOf } from '@tributary/service-kit';
import type { RouteInput } from '@tributary/service-kit/http';
import { DATA_SOURCE, Input, Route, principalOf } from '@tributary/service-kit/nest';
import type { FastifyRequest } from 'fastify';
import type { DataSource } from 'typeorm';
import { decodeCursor, encodeCursor } from '../http/cursor.js';
import { RunErrorCode, RunsRepository } from './runs.repository.js';
import type { Run } from './runs.repository.js';
import { listRuns, showRun, startRun } from './runs.routes.js';
import { RunsService } from './runs.service.js';

@Controller()
export class RunsController {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly runs: RunsRepository,
    private readonly service: RunsService,
  ) {}

  @Route(startRun)
  async start(@Input() input: RouteInput<typeof startRun>, @Req() request: FastifyRequest) {
    const body = input.body;
    try {
      const run = await this.service.start({
        entity: body.entity,
        mode: body.mode,
        trigger: 'api',
        requestedBy: actorOf(principalOf(request)),
        ...(body.dryRun === undefined ? {} : { dryRun: body.dryRun }),
        ...(body.from ? { from: new Date(body.from) } : {}),
        ...(body.to ? { to: new Date(body.to) } : {}),
        ...(body.ids ? { ids: body.ids } : {}),
        ...(body.reason ? { reason: body.reason } : {}),
      });
      return runView(run);
    } catch (error) {
      if (error instanceof TributaryError && error.code === RunErrorCode.alreadyRunning) {
        throw new ProblemError('RECONCILIATION_RUN_ALREADY_RUNNING', error.message);
      }
      throw error;
    }
  }

  @Route(listRuns)
  async list(@Input() input: RouteInput<typeof listRuns>) {
    const { limit, cursor, ...filter } = input.query;
    const rows = await this.runs.list(this.dataSource.manager, filter, limit + 1, decodeCursor(cursor));
    const items = rows.slice(0, limit);
    return {
      items: items.map(runView),
      nextCursor: rows.length > limit ? encodeCursor(items.at(-1)!.id) : null,
    };
  }

  @Route(showRun)
  async show(@Input() input: RouteInput<typeof showRun>) {
    const run = await this.runs.get(this.dataSource.manager, input.params.id);
    if (!run) throw new ProblemError('RECONCILIATION_RUN_NOT_FOUND', 'No run has this id.');
    return runView(run);
  }
}

/** The answer's shape of a run: without its internal checkpoint (page number, cursor, retries). */
export function runView(run: Run) {
  const {
    pageNo: _page,
    cursor: _cursor,
    pageAttempts: _attempts,
    pageThrottles: _throttles,
    nextRequestAt: _next,
    ...view
  } = run;
  return view;
}
