import { header, parseJson } from '../core/http.js';
import { effectRoute, hasBearer, NO_KEY, queryRoute } from '../core/provider.js';
import type { Admission, Provider, SimCore } from '../core/provider.js';
import { HubspotContactWebhooks } from './contact-webhooks.js';
import { ContactStore, upsertSchema } from './contacts.js';
import { hubspotDrift } from './drift.js';
import { hubspotSeeder } from './seed.js';
import type { UpsertInput } from './contacts.js';
import { hubspotError } from './errors.js';
import { listContacts } from './listing.js';
import { fullContact } from './render.js';
import { SearchRateLimit } from './search-limit.js';
import { ContactSearch } from './search.js';

export const HUBSPOT_BATCH_UPSERT = 'POST /crm/v3/objects/contacts/batch/upsert';
export const HUBSPOT_SEARCH = 'POST /crm/v3/objects/contacts/search';
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
  /** Searches per second per token before HubSpot's search answers 429 (its own limit). Default 5. */
  searchRateLimitPerSecond?: number;
}

/**
 * HubSpot CRM contacts (https://api.hubapi.com): batch upsert by a unique property and read, Bearer auth,
 * the ten-second rolling rate limit with `X-HubSpot-RateLimit-*` headers on every answer, and contact
 * webhooks (creation, property changes) after writes that changed something, signed with signature v3.
 */
export function hubspotProvider(core: SimCore, options: HubspotOptions): Provider {
  const contacts = new ContactStore(core.clock);
  const search = new ContactSearch(contacts);
  const searchLimit = new SearchRateLimit(options.searchRateLimitPerSecond ?? 5);
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
    drift: hubspotDrift(contacts, webhooks),
    seed: hubspotSeeder(contacts),
    counts: () => ({ contacts: contacts.size - contacts.archivedCount, archived: contacts.archivedCount }),
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
    admit(route, req): Admission {
      const now = Date.now();
      prune(now);
      if (core.throttle.ruleFor(route)) {
        const verdict = core.throttle.admit(route);
        if (verdict.ok) window.push(now);
        return verdict;
      }
      if (window.length >= options.rateLimitMax)
        return {
          ok: false,
          retryAfterSeconds: Math.max(1, Math.ceil((window[0]! + HUBSPOT_WINDOW_MS - now) / 1000)),
        };
      // Searches also meet the search API's own per-token limit; a refused request counts in neither.
      const token = header(req, 'authorization') ?? '';
      if (route === HUBSPOT_SEARCH) {
        const verdict = searchLimit.check(token);
        if (!verdict.ok) return verdict;
        searchLimit.take(token);
      }
      window.push(now);
      return { ok: true };
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
                    ...fullContact(contact),
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
        method: 'POST',
        path: '/crm/v3/objects/contacts/search',
        handler: queryRoute((_ctx, body) => {
          const json = parseJson(body);
          return json === undefined
            ? hubspotError(400, 'VALIDATION_ERROR', 'Invalid input JSON: the body must be a JSON object')
            : search.search(json);
        }),
      },
      {
        method: 'GET',
        path: '/crm/v3/objects/contacts',
        handler: queryRoute(({ query }) => listContacts(contacts, query)),
      },
      {
        method: 'GET',
        path: '/crm/v3/objects/contacts/:id',
        handler: queryRoute(({ params, query }) => {
          const idProperty = query.get('idProperty') ?? 'hs_object_id';
          // An archived contact is in the recycling bin: found by its record id only when asked for.
          const binned =
            query.get('archived') === 'true' && idProperty === 'hs_object_id'
              ? contacts.get(params.id!)
              : undefined;
          const contact = binned?.archived ? binned : contacts.find(idProperty, params.id!);
          return contact
            ? { status: 200, body: fullContact(contact) }
            : hubspotError(404, 'OBJECT_NOT_FOUND', `Object not found. objectId are usually numeric.`);
        }),
      },
      {
        method: 'DELETE',
        path: '/crm/v3/objects/contacts/:id',
        handler: effectRoute<null>({
          honoursIdempotencyKey: false,
          parse: () => ({ ok: true, params: null }),
          validate: (_params, { params }) =>
            contacts.get(params.id!)
              ? undefined
              : hubspotError(404, 'OBJECT_NOT_FOUND', `Object not found. objectId are usually numeric.`),
          apply(_params, { params }) {
            const contact = contacts.get(params.id!)!;
            const archived = contacts.archive(contact);
            return {
              kind: 'applied',
              answer: { status: 204, body: null },
              effects: [{ key: NO_KEY, count: archived ? 1 : 0, objectId: contact.id }],
            };
          },
        }),
      },
    ],
  };
}
