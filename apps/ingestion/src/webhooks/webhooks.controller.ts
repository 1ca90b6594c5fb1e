import { Controller, Inject, Param, Req, Res } from '@nestjs/common';
import { Route, SERVICE_CONFIG, rawBodyOf } from '@tributary/service-kit/nest';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IngestionConfig } from '../ingestion.config.js';
import { WebhookIntakeService } from './webhook-intake.service.js';
import { receiveWebhook } from './webhooks.routes.js';
import type { WebhookResponse } from './webhooks.routes.js';

/** 202 when stored and queued for Kafka, 200 for a duplicate. */
@Controller()
export class WebhooksController {
  constructor(
    private readonly intake: WebhookIntakeService,
    @Inject(SERVICE_CONFIG) private readonly config: IngestionConfig,
  ) {}

  // Not @Input(): the provider is checked by the intake (which counts every refusal by provider), and the
  // body is bytes until its signature is verified.
  @Route(receiveWebhook)
  async receive(
    @Param('provider') provider: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<WebhookResponse> {
    const result = await this.intake.receive(
      provider,
      {
        method: request.method,
        url: this.publicUrl(request),
        headers: request.headers,
        body: rawBodyOf(request),
      },
      request.headers['content-type'],
    );
    void reply.status(result.outcome === 'accepted' ? 202 : 200).headers(result.rateLimitHeaders);
    return { outcome: result.outcome, entries: result.entries };
  }

  /** The URL as the provider called it (HubSpot signs it): behind a proxy, PUBLIC_BASE_URL says the origin. */
  private publicUrl(request: FastifyRequest): string {
    const origin = this.config.publicBaseUrl ?? `${request.protocol}://${request.host}`;
    return `${origin}${request.url}`;
  }
}
