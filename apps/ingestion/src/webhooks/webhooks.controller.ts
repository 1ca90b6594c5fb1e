import { Controller, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SERVICE_CONFIG, rawBodyOf } from '@tributary/service-kit/nest';
import type { IngestionConfig } from '../ingestion.config.js';
import { WebhookIntakeService } from './webhook-intake.service.js';
import type { IntakeEntry } from './webhook-intake.service.js';

export const WEBHOOK_ROUTE = '/webhooks/:provider';

/** What a provider gets back; providers only look at the status, people debugging look at the rest. */
export interface WebhookResponse {
  readonly outcome: 'accepted' | 'duplicate';
  readonly entries: readonly IntakeEntry[];
}

/**
 * `POST /webhooks/:provider` — unversioned on purpose: the URL is configured at the provider, and the
 * payload contract is the provider's, not ours. 202 when stored and queued for Kafka, 200 for a duplicate.
 */
@Controller()
export class WebhooksController {
  constructor(
    private readonly intake: WebhookIntakeService,
    @Inject(SERVICE_CONFIG) private readonly config: IngestionConfig,
  ) {}

  @Post(WEBHOOK_ROUTE)
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
