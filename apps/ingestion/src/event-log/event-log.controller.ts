import { Controller, Inject, Req } from '@nestjs/common';
import { ProblemError } from '@tributary/service-kit';
import { parseRouteInput } from '@tributary/service-kit/http';
import type { RouteInput } from '@tributary/service-kit/http';
import { Input, Route, principalOf } from '@tributary/service-kit/nest';
import type { FastifyRequest } from 'fastify';
import { jsonBodyOf } from '../http/json-body.js';
import { ProblemCode } from '../http/problem.js';
import { decodeCursor, encodeCursor } from './domain/cursor.js';
import type { EventLogRepository } from './event-log.repository.js';
import {
  listEventLog,
  replayEventLogEntry,
  replayEventLogRange,
  showEventLogEntry,
} from './event-log.routes.js';
import type { EntryDetail, EntryPage, ReplayResponse } from './event-log.routes.js';
import { EVENT_LOG_REPOSITORY } from './event-log.tokens.js';
import { ReplayService } from './replay.service.js';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Webhooks and internal events as received, what became of them, and replay. */
@Controller()
export class EventLogController {
  constructor(
    @Inject(EVENT_LOG_REPOSITORY) private readonly repository: EventLogRepository,
    private readonly replays: ReplayService,
  ) {}

  /** Newest first; filter by provider, type, status and time received; `nextCursor` pages on. */
  @Route(listEventLog)
  async list(@Input() { query }: RouteInput<typeof listEventLog>): Promise<EntryPage> {
    const before = query.cursor ? decodeCursor(query.cursor) : undefined;
    const rows = await this.repository.list(
      {
        ...(query.provider ? { provider: query.provider } : {}),
        ...(query.type ? { type: query.type } : {}),
        ...(query.status ? { status: query.status } : {}),
        ...(query.from ? { from: new Date(query.from) } : {}),
        ...(query.to ? { to: new Date(query.to) } : {}),
      },
      query.limit + 1,
      before,
    );
    const items = rows.slice(0, query.limit);
    return { items, nextCursor: rows.length > query.limit ? encodeCursor(items.at(-1)!.id) : null };
  }

  /** One entry with its payload and, per produced event, whether the outbox has delivered it. */
  @Route(showEventLogEntry)
  async show(@Input() { params }: RouteInput<typeof showEventLogEntry>): Promise<EntryDetail> {
    const entry = uuid.test(params.id) ? await this.repository.get(params.id) : undefined;
    if (!entry) throw new ProblemError(ProblemCode.eventLogEntryNotFound, 'No event log entry with this id.');
    return entry;
  }

  // jsonBodyOf, not @Input(), for the replays: a request without a body stays a 415, as it always was.

  /** Replays every entry of a provider received in [from, to). */
  @Route(replayEventLogRange)
  async replayRange(@Req() request: FastifyRequest): Promise<ReplayResponse> {
    const { body } = parseRouteInput(replayEventLogRange, { body: jsonBodyOf(request) });
    return this.replays.replay(
      principalOf(request),
      { provider: body.provider, from: new Date(body.from), to: new Date(body.to) },
      body.reason,
    );
  }

  @Route(replayEventLogEntry)
  async replayOne(@Req() request: FastifyRequest): Promise<ReplayResponse> {
    const { params, body } = parseRouteInput(replayEventLogEntry, {
      params: request.params,
      body: jsonBodyOf(request),
    });
    if (!uuid.test(params.id))
      throw new ProblemError(ProblemCode.eventLogEntryNotFound, 'No event log entry with this id.');
    return this.replays.replay(principalOf(request), { id: params.id }, body.reason);
  }
}
