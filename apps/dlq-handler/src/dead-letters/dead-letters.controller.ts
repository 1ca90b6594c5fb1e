import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req } from '@nestjs/common';
import { ProblemError, actorOf } from '@tributary/service-kit';
import { RequireScope, principalOf } from '@tributary/service-kit/nest';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ProblemCode } from '../http/problem.js';
import { isUuid } from './dead-letter.js';
import { DeadLettersRepository } from './dead-letters.repository.js';
import {
  decodeCursor,
  encodeCursor,
  parseFilter,
  parseListQuery,
  parseSelection,
} from './dead-letters.requests.js';
import { DeadLettersService } from './dead-letters.service.js';

const singleAction = z.object({ reason: z.string().trim().min(3).max(1_000) }).strict();

function reasonOf(body: unknown): string {
  const parsed = singleAction.safeParse(body ?? {});
  if (!parsed.success) throw new ProblemError(ProblemCode.requestInvalid, z.prettifyError(parsed.error));
  return parsed.data.reason;
}

/** A path id that is no UUID is a malformed request (400), not an unknown dead letter (404). */
function idOf(id: string): string {
  if (!isUuid(id)) {
    throw new ProblemError(
      ProblemCode.requestInvalid,
      'The id in the path is not a dead-letter id (a UUID).',
    );
  }
  return id.toLowerCase();
}

@Controller('v1/dead-letters')
export class DeadLettersController {
  constructor(
    @Inject(DeadLettersRepository) private readonly repository: DeadLettersRepository,
    @Inject(DeadLettersService) private readonly service: DeadLettersService,
  ) {}

  @Get()
  @RequireScope('dlq:read')
  async list(@Query() query: unknown) {
    const { filter, limit, cursor } = parseListQuery(query);
    const page = await this.repository.list(
      filter,
      limit,
      cursor === undefined ? undefined : decodeCursor(cursor),
    );
    return { items: page.items, nextCursor: page.more && page.last ? encodeCursor(page.last) : null };
  }

  @Get('counts')
  @RequireScope('dlq:read')
  async counts(@Query() query: unknown) {
    const { filter } = parseListQuery(query);
    const rows = await this.repository.counts(filter);
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

  @Get(':id')
  @RequireScope('dlq:read')
  async show(@Param('id') id: string) {
    const found = await this.repository.get(idOf(id));
    if (!found) throw new ProblemError(ProblemCode.deadLetterNotFound, 'No dead letter has this id.');
    return found;
  }

  /** Replays the ids or the filter's pending dead letters; 202: they are sent at the replay rate afterwards. */
  @Post('replay')
  @HttpCode(202)
  @RequireScope('dlq:replay')
  async replay(@Body() body: unknown, @Req() request: FastifyRequest) {
    const selection = parseSelection(body);
    const result = await this.service.replay(
      selection.ids
        ? { ids: selection.ids.map((id) => id.toLowerCase()) }
        : { filter: parseFilter(selection.filter) },
      actorOf(principalOf(request)),
      selection.reason,
    );
    return { accepted: result.ids.length, ids: result.ids, skipped: result.skipped, auditId: result.auditId };
  }

  @Post(':id/replay')
  @HttpCode(202)
  @RequireScope('dlq:replay')
  async replayOne(@Param('id') id: string, @Body() body: unknown, @Req() request: FastifyRequest) {
    const result = await this.service.replay(
      { ids: [idOf(id)] },
      actorOf(principalOf(request)),
      reasonOf(body),
      { one: true },
    );
    return { accepted: result.ids.length, ids: result.ids, skipped: result.skipped, auditId: result.auditId };
  }

  @Post('discard')
  @HttpCode(200)
  @RequireScope('dlq:discard')
  async discard(@Body() body: unknown, @Req() request: FastifyRequest) {
    const selection = parseSelection(body);
    const result = await this.service.discard(
      selection.ids
        ? { ids: selection.ids.map((id) => id.toLowerCase()) }
        : { filter: parseFilter(selection.filter) },
      actorOf(principalOf(request)),
      selection.reason,
    );
    return {
      discarded: result.ids.length,
      ids: result.ids,
      skipped: result.skipped,
      auditId: result.auditId,
    };
  }

  @Post(':id/discard')
  @HttpCode(200)
  @RequireScope('dlq:discard')
  async discardOne(@Param('id') id: string, @Body() body: unknown, @Req() request: FastifyRequest) {
    const result = await this.service.discard(
      { ids: [idOf(id)] },
      actorOf(principalOf(request)),
      reasonOf(body),
      { one: true },
    );
    return {
      discarded: result.ids.length,
      ids: result.ids,
      skipped: result.skipped,
      auditId: result.auditId,
    };
  }
}
