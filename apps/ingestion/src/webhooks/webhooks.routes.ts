import { defineRoute } from '@tributary/service-kit/http';
import { WebhookErrorCode, webhookDefinitions } from '@tributary/webhooks';
import { z } from 'zod';
import { ENTRY_STATUSES } from '../event-log/domain/event-log.js';
import { rateLimitHeaders, rateLimitedHeaders } from '../http/rate-limit-headers.js';

export const webhookEntry = z
  .object({
    id: z.uuid().describe('Event log entry.'),
    dedupeKey: z.string(),
    status: z.enum(ENTRY_STATUSES),
    duplicate: z.boolean(),
    eventIds: z.array(z.uuid()),
  })
  .meta({ id: 'WebhookEntry' });

/** What a provider gets back; providers only look at the status, people debugging look at the rest. */
export const webhookResponse = z
  .object({ outcome: z.enum(['accepted', 'duplicate']), entries: z.array(webhookEntry) })
  .meta({ id: 'WebhookResult' });

export type WebhookEntry = z.infer<typeof webhookEntry>;
export type WebhookResponse = z.infer<typeof webhookResponse>;

function description(): string {
  const rows = Object.values(webhookDefinitions)
    .sort((a, b) => a.provider.localeCompare(b.provider))
    .map(
      (d) =>
        `| ${d.provider} | ${d.domain} | ${d.scheme.name} | ${d.scheme.headers.join(', ')} | ${d.secretsEnv} |`,
    );
  return [
    'Receives a signed webhook. The raw body is verified before it is parsed; a provider without configured secrets is refused.',
    'Each provider event is deduplicated on its provider identity; a delivery whose events were all seen before answers 200 and publishes nothing.',
    '',
    '| provider | domain | scheme | headers | secrets |',
    '|---|---|---|---|---|',
    ...rows,
    '',
    'Besides these, every source declared in `WEBHOOK_SOURCES` / `WEBHOOK_SOURCES_FILE` (its name is the path segment); each of its events is published as `integrations.webhook.received`.',
  ].join('\n');
}

/**
 * Unversioned on purpose: the URL is configured at the provider, and the payload contract is the
 * provider's, not ours. The body schema documents; the handler never parses before the signature is
 * verified over the exact bytes.
 */
export const receiveWebhook = defineRoute({
  method: 'post',
  path: '/webhooks/{provider}',
  operationId: 'receiveWebhook',
  summary: 'Receive a provider webhook',
  description: description(),
  request: {
    // A slug rather than an enum: configured sources are known at boot, not when this module loads.
    params: z.object({
      provider: z
        .string()
        .regex(/^[a-z][a-z0-9-]{0,31}$/)
        .describe(
          `A coded provider (${Object.keys(webhookDefinitions).sort().join(', ')}) or a configured source.`,
        ),
    }),
    body: z
      .union([z.record(z.string(), z.unknown()), z.array(z.unknown())])
      .describe("The provider's payload, as the provider sends it."),
    bodyContentType: 'application/json',
  },
  responses: {
    202: {
      description: 'Stored in the event log; mapped events are in the outbox.',
      schema: webhookResponse,
      headers: rateLimitHeaders,
    },
    200: {
      description: 'Duplicate: every event was received before; nothing published.',
      schema: webhookResponse,
      headers: rateLimitHeaders,
    },
  },
  problems: [
    WebhookErrorCode.signatureMissing,
    WebhookErrorCode.signatureMalformed,
    WebhookErrorCode.signatureInvalid,
    WebhookErrorCode.signatureStale,
    WebhookErrorCode.providerNotConfigured,
    WebhookErrorCode.payloadMalformed,
    WebhookErrorCode.payloadInvalid,
    'RATE_LIMITED',
  ],
  // A provider name outside the list is an unknown provider, like any other the path could hold.
  invalidCode: WebhookErrorCode.providerUnknown,
  problemHeaders: { 429: rateLimitedHeaders },
});

export const webhookRoutes = [receiveWebhook] as const;
