import { z } from 'zod';
import { defineMapping, defineWebhook } from '../definition.js';
import { WebhookError, WebhookErrorCode } from '../errors.js';
import { headerOf } from '../request.js';
import { githubScheme } from '../schemes/github.scheme.js';

/**
 * GitHub. No catalogue event comes from source control yet, so deliveries are verified, deduplicated on
 * `X-GitHub-Delivery` and kept in the event log (`unknown_type`) — the shape a new provider starts with.
 * The event type is `X-GitHub-Event`, refined by the payload's `action` (`issues.opened`).
 */
export const githubWebhook = defineWebhook({
  provider: 'github',
  domain: 'engineering',
  description: 'GitHub webhooks signed with X-Hub-Signature-256.',
  scheme: githubScheme(),
  secretsEnv: 'GITHUB_WEBHOOK_SECRETS',
  retryHorizonSeconds: 3 * 24 * 3600,
  events(body, request) {
    const delivery = headerOf(request, 'x-github-delivery');
    const event = headerOf(request, 'x-github-event');
    if (!delivery || !event) {
      throw new WebhookError(
        WebhookErrorCode.payloadInvalid,
        'X-GitHub-Delivery and X-GitHub-Event headers are required',
      );
    }
    const action =
      typeof body === 'object' && body !== null ? (body as { action?: unknown }).action : undefined;
    return [
      { dedupeKey: delivery, type: typeof action === 'string' ? `${event}.${action}` : event, payload: body },
    ];
  },
  mappings: {
    ping: defineMapping(z.object({ zen: z.string().optional() }), [], () => ({
      kind: 'ignored',
      reason: 'GitHub checks the endpoint',
    })),
  },
  // A ping is ignored, so nothing in it is relied on; `sender` is the account that set the hook up.
  shapes: { ping: { personalData: ['sender'] } },
});
