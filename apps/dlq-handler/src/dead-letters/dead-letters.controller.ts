import { Body, Controller, Inject, Query, Req } from '@nestjs/common';
import { ProblemError, actorOf } from '@tributary/service-kit';
import type { ResponseBody, RouteInput } from '@tributary/service-kit/http';
import { Input, Route, principalOf } from '@tributary/service-kit/nest';
import type { FastifyRequest } from 'fastify';
import { ProblemCode } from '../http/problem.js';
import type { Selection } from './operator-commands.js';
import { DeadLetterReadModel } from './read-model.js';
import {
  decodeCursor,
  encodeCursor,
  parseFilter,
  parseListQuery,
  parseSelection,
} from './dead-letters.requests.js';
import {
  countDeadLetters,
  discardDeadLetter,
  discardDeadLetters,
  listDeadLetters,
  replayDeadLetter,
  replayDeadLetters,
  showDeadLetter,
} from './dead-letters.routes.js';
import { DeadLettersService } from './dead-letters.service.js';

/**
 * The routes of dead-letters.routes.ts. List, counts and the bulk actions parse their input with the
 * functions of dead-letters.requests.ts rather than `@Input()`: they answer a bad filter with
 * DLQ_FILTER_INVALID and any other bad request with DLQ_REQUEST_INVALID, where a contract has one code.
 */
@Controller()
export class DeadLettersController {
  constructor(
    @Inject(DeadLetterReadModel) private readonly readModel: DeadLetterReadModel,
    @Inject(DeadLettersService) private readonly service: DeadLettersService,
  ) {}

  @Route(listDeadLetters)
  async list(@Query() query: unknown): Promise<ResponseBody<typeof listDeadLetters, 200>> {
    const { filter, limit, cursor } = parseListQuery(query);
    const page = await this.readModel.list(
      filter,
      limit,
      cursor === undefined ? undefined : decodeCursor(cursor),
    );
    return { items: page.items, nextCursor: page.more && page.last ? encodeCursor(page.last) : null };
  }

  @Route(countDeadLetters)
  async counts(@Query() query: unknown): Promise<ResponseBody<typeof countDeadLetters, 200>> {
    const { filter } = parseListQuery(query);
    const rows = await this.readModel.counts(filter);
    const byCode = new Map<string, { errorCode: string; total: number; byStatus: Record<string, number> }>();
    for (const row of rows) {
      const entry = byCode.get(row.errorCode) ?? { errorCode: row.errorCode, total: 0, byStatus: {} };
      entry.total += row.count;
      entry.byStatus[row.status] = (entry.byStatus[row.status] ?? 0) + row.count;
      byCode.set(row.errorCode, entry);
    }
    return {
      total: rows.reduce((sum, row) => sum + row.count, 0),
      byErrorCode: [...byCode.values()].sort(
        (a, b) => b.total - a.total || a.errorCode.localeCompare(b.errorCode),
      ),
      rows,
    };
  }

  @Route(showDeadLetter)
  async show(
    @Input() input: RouteInput<typeof showDeadLetter>,
  ): Promise<ResponseBody<typeof showDeadLetter, 200>> {
    const found = await this.readModel.get(input.params.id.toLowerCase());
    if (!found) throw new ProblemError(ProblemCode.deadLetterNotFound, 'No dead letter has this id.');
    return found;
  }

  /** Replays the ids or the filter's pending dead letters; 202: they are sent at the replay rate afterwards. */
  @Route(replayDeadLetters)
  async replay(
    @Body() body: unknown,
    @Req() request: FastifyRequest,
  ): Promise<ResponseBody<typeof replayDeadLetters, 202>> {
    const selection = parseSelection(body);
    const result = await this.service.replay(
      selectionOf(selection),
      actorOf(principalOf(request)),
      selection.reason,
    );
    return {
      accepted: result.ids.length,
      ids: [...result.ids],
      skipped: [...result.skipped],
      auditId: result.auditId,
    };
  }

  @Route(replayDeadLetter)
  async replayOne(
    @Input() input: RouteInput<typeof replayDeadLetter>,
    @Req() request: FastifyRequest,
  ): Promise<ResponseBody<typeof replayDeadLetter, 202>> {
    const result = await this.service.replay(
      { ids: [input.params.id.toLowerCase()] },
      actorOf(principalOf(request)),
      input.body.reason,
      { one: true },
    );
    return {
      accepted: result.ids.length,
      ids: [...result.ids],
      skipped: [...result.skipped],
      auditId: result.auditId,
    };
  }

  @Route(discardDeadLetters)
  async discard(
    @Body() body: unknown,
    @Req() request: FastifyRequest,
  ): Promise<ResponseBody<typeof discardDeadLetters, 200>> {
    const selection = parseSelection(body);
    const result = await this.service.discard(
      selectionOf(selection),
      actorOf(principalOf(request)),
      selection.reason,
    );
    return {
      discarded: result.ids.length,
      ids: [...result.ids],
      skipped: [...result.skipped],
      auditId: result.auditId,
    };
  }

  @Route(discardDeadLetter)
  async discardOne(
    @Input() input: RouteInput<typeof discardDeadLetter>,
    @Req() request: FastifyRequest,
  ): Promise<ResponseBody<typeof discardDeadLetter, 200>> {
    const result = await this.service.discard(
      { ids: [input.params.id.toLowerCase()] },
      actorOf(principalOf(request)),
      input.body.reason,
      { one: true },
    );
    return {
      discarded: result.ids.length,
      ids: [...result.ids],
      skipped: [...result.skipped],
      auditId: result.auditId,
    };
  }
}

function selectionOf(selection: { ids?: string[] | undefined; filter?: unknown }): Selection {
  return selection.ids
    ? { ids: selection.ids.map((id) => id.toLowerCase()) }
    : { filter: parseFilter(selection.filter) };
}
