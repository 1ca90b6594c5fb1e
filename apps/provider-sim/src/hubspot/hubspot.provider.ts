import { randomUUID } from 'node:crypto';
import type { Answer } from '../core/http.js';
import { parseJson } from '../core/http.js';
import { effectRoute, hasBearer, NO_KEY, queryRoute } from '../core/provider.js';
import type { Admission, Provider, SimCore } from '../core/provider.js';
import { HubspotContactWebhooks } from './contact-webhooks.js';
import { ContactStore, upsertSchema } from './contacts.js';
import type { Contact, UpsertInput } from './contacts.js';

export const HUBSPOT_BATCH_UPSERT = 'POST /crm/v3/objects/contacts/batch/upsert';
/** HubSpot's burst limit is a rolling ten-second window per app. */
export const HUBSPOT_WINDOW_MS = 10_000;

export interface HubspotOptions {
  /** Requests per rolling ten seconds before HubSpot answers 429 (its private-app burst limit). */
  rateLimitMax: number;
  /**
   * How long contact webhook events collect before they go out as one batched request (HubSpot batches
   * up to 100). Sent only when the webhook core has a `hubspot` endpoint. Default 250 ms.
   */
  webhookBatchWindowMs?: number;
}

function hubspotError(status: number, category: string, message: string, extra: object = {}): Answer {
  return { status, body: { status: 'error', category, message, correlationId: randomUUID(), ...extra } };
}

function view(contact: Contact) {
  return {
    id: contact.id,
    properties: { ...contact.properties },
    createdAt: contact.createdAt,
    updatedAt: contact.updatedAt,
    archived: false,
  };
}

/**
 * HubSpot CRM contacts (https://api.hubapi.com): batch upsert by a unique property and read, Bearer auth,
 * the ten-second rolling rate limit with `X-HubSpot-RateLimit-*` headers on every answer, and contact
 * webhooks (creation, property changes) after writes that changed something, signed with signature v3.
 */
export function hubspotProvider(core: SimCore, options: HubspotOptions): Provider {
  const contacts = new ContactStore(core.clock);
  const webhooks = new HubspotContactWebhooks(core.webhooks, options.webhookBatchWindowMs ?? 250);
  // Admitted requests in the current window, oldest first (shared by every HubSpot route, as per app).
  let window: number[] = [];

  const prune = (now: number) => {
    const first = window.findIndex((at) => at > now - HUBSPOT_WINDOW_MS);
    window = first === -1 ? [] : first === 0 ? window : window.slice(first);
  };
  /** The limit the headers describe: the benchmark throttle's, when one covers the route. */
  const max = (route: string) => {
    const rule = core.throttle.ruleFor(route);
    return rule ? Math.ceil((rule.requestsPerSecond * HUBSPOT_WINDOW_MS) / 1000) : options.rateLimitMax;
  };

  return {
    name: 'hubspot',
    prefixes: ['/crm/'],
    authorized: hasBearer,
    headers(route) {
      prune(Date.now());
      const limit = max(route);
      return {
        'x-hubspot-ratelimit-max': String(limit),
        'x-hubspot-ratelimit-remaining': String(Math.max(0, limit - window.length)),
        'x-hubspot-ratelimit-interval-milliseconds': String(HUBSPOT_WINDOW_MS),
      };
    },
    admit(route): Admission {
      const now = Date.now();
      prune(now);
      let verdict: Admission;
      if (core.throttle.ruleFor(route)) verdict = core.throttle.admit(route);
      else if (window.length >= options.rateLimitMax)
        verdict = {
          ok: false,
          retryAfterSeconds: Math.max(1, Math.ceil((window[0]! + HUBSPOT_WINDOW_MS - now) / 1000)),
        };
      else verdict = { ok: true };
      if (verdict.ok) window.push(now);
      return verdict;
    },
    errors: {
      unauthorized: () =>
        hubspotError(
          401,
          'INVALID_AUTHENTICATION',
          'Authentication credentials not found. This API supports OAuth 2.0 authentication.',
        ),
      notFound: (method, path) => hubspotError(404, 'OBJECT_NOT_FOUND', `No route for ${method} ${path}`),
      invalid: (message) => hubspotError(400, 'VALIDATION_ERROR', message),
      serverError: (status) => hubspotError(status, 'INTERNAL_ERROR', 'Simulated provider failure.'),
      rateLimited: () =>
        hubspotError(429, 'RATE_LIMITS', 'You have reached your ten_secondly_rolling limit.', {
          errorType: 'RATE_LIMIT',
          policyName: 'TEN_SECONDLY_ROLLING',
        }),
      // HubSpot has no Idempotency-Key; the batch route does not honour one, so these are never sent.
      idempotencyMismatch: () => hubspotError(400, 'VALIDATION_ERROR', 'Idempotency key reused.'),
      idempotencyInProgress: () => hubspotError(409, 'CONFLICT', 'Idempotency key in use.'),
    },
    routes: [
      {
        method: 'POST',
        path: '/crm/v3/objects/contacts/batch/upsert',
        handler: effectRoute<UpsertInput[]>({
          honoursIdempotencyKey: false,
          parse(body) {
            const parsed = upsertSchema.safeParse(parseJson(body));
            if (!parsed.success) {
              const problems = parsed.error.issues.map(
                (issue) => `${issue.path.join('.')}: ${issue.message}`,
              );
              return {
                ok: false,
                answer: hubspotError(400, 'VALIDATION_ERROR', `Invalid input JSON: ${problems.join('; ')}`),
              };
            }
            return { ok: true, params: parsed.data.inputs };
          },
          keys: (inputs) => inputs.map((input) => input.objectWriteTraceId ?? NO_KEY),
          validate(inputs) {
            const seen = new Set<string>();
            const duplicates: string[] = [];
            for (const input of inputs) {
              const id = `${input.idProperty}:${input.id}`;
              if (seen.has(id)) duplicates.push(input.id);
              seen.add(id);
            }
            return duplicates.length > 0
              ? hubspotError(
                  400,
                  'VALIDATION_ERROR',
                  `Duplicate IDs found in batch input: ${duplicates.join(', ')}`,
                )
              : undefined;
          },
          apply(inputs) {
            const startedAt = core.clock.date().toISOString();
            const upserts = inputs.map((input) => ({ input, ...contacts.upsert(input) }));
            // Only writes that created a contact or changed a value, as at HubSpot: an identical re-upsert
            // (a redelivered event) sends no webhook, so a read-only answer to a webhook ends the loop.
            webhooks.record(
              upserts
                .filter((upsert) => upsert.changed)
                .map(({ contact, created, changedProperties }) => ({
                  contactId: contact.id,
                  created,
                  changed: changedProperties,
                  at: Date.parse(contact.updatedAt),
                })),
            );
            return {
              kind: 'applied',
              answer: {
                status: 200,
                body: {
                  status: 'COMPLETE',
                  startedAt,
                  completedAt: core.clock.date().toISOString(),
                  results: upserts.map(({ input, contact, created }) => ({
                    ...view(contact),
                    new: created,
                    ...(input.objectWriteTraceId ? { objectWriteTraceId: input.objectWriteTraceId } : {}),
                  })),
                },
              },
              effects: upserts.map(({ input, contact, changed }) => ({
                key: input.objectWriteTraceId ?? NO_KEY,
                count: changed ? 1 : 0,
                objectId: contact.id,
              })),
            };
          },
        }),
      },
      {
        method: 'GET',
        path: '/crm/v3/objects/contacts/:id',
        handler: queryRoute(({ params, query }) => {
          const idProperty = query.get('idProperty') ?? 'hs_object_id';
          const contact = contacts.find(idProperty, params.id!);
          return contact
            ? { status: 200, body: view(contact) }
            : hubspotError(404, 'OBJECT_NOT_FOUND', `Object not found. objectId are usually numeric.`);
        }),
      },
    ],
  };
}
