import { Controller, Get, HttpCode, Inject, Param, Post, Query, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { describeIssues } from '@tributary/webhooks';
import { ProblemError } from '@tributary/service-kit';
import { RequireScope, principalOf, rawBodyOf } from '@tributary/service-kit/nest';
import { parseJson, requireJson } from '../http/json-body.js';
import { ProblemCode } from '../http/problem.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import type { EntryDetail, EntryStatus, EntrySummary } from './event-log.js';
import type { EventLogRepository } from './event-log.repository.js';
import { listEntriesQuery, replayEntryRequest, replayRangeRequest } from './event-log.requests.js';
import type { ReplayResponse } from './event-log.requests.js';
import { EVENT_LOG_REPOSITORY } from './event-log.tokens.js';
import { ReplayService } from './replay.service.js';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Webhooks and internal events as received, what became of them, and replay. */
@Controller('v1/event-log')
export class EventLogController {
  constructor(
    @Inject(EVENT_LOG_REPOSITORY) private readonly repository: EventLogRepository,
    private readonly replays: ReplayService,
  ) {}

  /** Newest first; filter by provider, type, status and time received; `nextCursor` pages on. */
  @Get()
  @RequireScope('events:read')
  async list(@Query() query: unknown): Promise<{ items: EntrySummary[]; nextCursor: string | null }> {
    const q = parse(listEntriesQuery, query);
    const before = q.cursor ? decodeCursor(q.cursor) : undefined;
    const rows = await this.repository.list(
      {
        ...(q.provider ? { provider: q.provider } : {}),
        ...(q.type ? { type: q.type } : {}),
        ...(q.status ? { status: q.status as EntryStatus } : {}),
        ...(q.from ? { from: new Date(q.from) } : {}),
        ...(q.to ? { to: new Date(q.to) } : {}),
      },
      q.limit + 1,
      before,
    );
    const items = rows.slice(0, q.limit);
    return { items, nextCursor: rows.length > q.limit ? encodeCursor(items.at(-1)!.id) : null };
  }

  /** One entry with its payload and, per produced event, whether the outbox has delivered it. */
  @Get(':id')
  @RequireScope('events:read')
  async show(@Param('id') id: string): Promise<EntryDetail> {
    const entry = uuid.test(id) ? await this.repository.get(id) : undefined;
    if (!entry) throw new ProblemError(ProblemCode.eventLogEntryNotFound, 'No event log entry with this id.');
    return entry;
  }

  /** Replays every entry of a provider received in [from, to). */
  @Post('replay')
  @HttpCode(202)
  @RequireScope('events:replay')
  async replayRange(@Req() request: FastifyRequest): Promise<ReplayResponse> {
    requireJson(request);
    const body = parse(replayRangeRequest, parseJson(rawBodyOf(request)));
    return this.replays.replay(
      principalOf(request),
      { provider: body.provider, from: new Date(body.from), to: new Date(body.to) },
      body.reason,
    );
  }

  @Post(':id/replay')
  @HttpCode(202)
  @RequireScope('events:replay')
  async replayOne(@Param('id') id: string, @Req() request: FastifyRequest): Promise<ReplayResponse> {
    requireJson(request);
    const body = parse(replayEntryRequest, parseJson(rawBodyOf(request)));
    if (!uuid.test(id))
      throw new ProblemError(ProblemCode.eventLogEntryNotFound, 'No event log entry with this id.');
    return this.replays.replay(principalOf(request), { id }, body.reason);
  }
}

function parse<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ProblemError(ProblemCode.requestInvalid, describeIssues(parsed.error));
  return parsed.data;
}
