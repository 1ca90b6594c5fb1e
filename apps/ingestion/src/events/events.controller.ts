import { Controller, Headers, Req } from '@nestjs/common';
import { Route, principalOf, rawBodyOf } from '@tributary/service-kit/nest';
import type { FastifyRequest } from 'fastify';
import { jsonBodyOf } from '../http/json-body.js';
import { publishEvent } from './events.routes.js';
import { InternalEventsService } from './internal-events.service.js';
import type { PublishEventResponse } from './publish-event.request.js';

@Controller()
export class EventsController {
  constructor(private readonly events: InternalEventsService) {}

  /**
   * 202: the event is in the event log and the outbox; the relay puts it on Kafka right after. Not
   * @Input(): the Idempotency-Key is checked, and a stored answer found, before the body's schema.
   */
  @Route(publishEvent)
  async publish(
    @Req() request: FastifyRequest,
    @Headers('idempotency-key') idempotencyKey?: string,
    @Headers('traceparent') traceparent?: string,
  ): Promise<PublishEventResponse> {
    return this.events.publish({
      principal: principalOf(request),
      idempotencyKey,
      body: jsonBodyOf(request),
      rawBody: rawBodyOf(request),
      ...(traceparent ? { traceparent } : {}),
    });
  }
}
