import { Controller, Headers, HttpCode, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { RequireScope, principalOf, rawBodyOf } from '@tributary/service-kit/nest';
import { parseJson, requireJson } from '../http/json-body.js';
import { InternalEventsService } from './internal-events.service.js';
import type { PublishEventResponse } from './publish-event.request.js';

/** `POST /v1/events`: internal services publish catalogue events (scope `events:publish`). */
@Controller('v1/events')
export class EventsController {
  constructor(private readonly events: InternalEventsService) {}

  /** 202: the event is in the event log and the outbox; the relay puts it on Kafka right after. */
  @Post()
  @HttpCode(202)
  @RequireScope('events:publish')
  async publish(
    @Req() request: FastifyRequest,
    @Headers('idempotency-key') idempotencyKey?: string,
    @Headers('traceparent') traceparent?: string,
  ): Promise<PublishEventResponse> {
    requireJson(request);
    const rawBody = rawBodyOf(request);
    return this.events.publish({
      principal: principalOf(request),
      idempotencyKey,
      body: parseJson(rawBody),
      rawBody,
      ...(traceparent ? { traceparent } : {}),
    });
  }
}
