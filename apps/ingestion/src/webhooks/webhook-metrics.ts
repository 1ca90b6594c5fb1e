import { HttpException } from '@nestjs/common';
import { metrics } from '@tributary/observability';
import type { WebhookDefinition } from '@tributary/webhooks';
import type { FastifyRequest } from 'fastify';
import { routerPath } from '@tributary/service-kit/http';
import type { DescribedProblem } from '@tributary/service-kit/nest';
import { receiveWebhook } from './webhooks.routes.js';

const webhookRoute = routerPath(receiveWebhook);

/**
 * Body limit refusals (and anything else Fastify refuses) happen before the webhook route runs, so the
 * intake service never sees them; they are counted here, from the problem filter, to keep
 * `tributary_webhooks_received_total` complete. The provider label takes only names of the boot's
 * definitions (configured sources included), so a path cannot mint label values.
 */
export const countWebhookRefusedByFastify =
  (definitions: Readonly<Record<string, WebhookDefinition>>) =>
  (problem: DescribedProblem, request: FastifyRequest, error: unknown): void => {
    if (!(error instanceof HttpException) || request.routeOptions?.url !== webhookRoute) return;
    const provider = (request.params as { provider?: string } | undefined)?.provider ?? '';
    metrics.webhooksReceived.inc({
      provider: Object.hasOwn(definitions, provider) ? provider : 'unknown',
      outcome:
        problem.status === 413
          ? 'too_large'
          : problem.status === 415
            ? 'unsupported_media_type'
            : 'malformed',
    });
  };
