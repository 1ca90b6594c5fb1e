import type { Answer } from '../core/http.js';
import { effectRoute, hasBearer, NO_KEY, queryRoute } from '../core/provider.js';
import type { Provider, SimCore } from '../core/provider.js';
import type { Stamp } from '../core/timeline.js';
import { StripeAccount } from './account.js';
import { stripeDrift } from './drift.js';
import { stripeSeeder } from './seed.js';
import { invalidRequest, noSuch, stripeError } from './errors.js';
import { parseStripeForm, parseStripeQuery } from './form.js';
import type { StripeParams, StripeQuery } from './form.js';
import { isAnswer, listAnswer, parseExpand, parseListWindow } from './listing.js';
import type { ListWindow } from './listing.js';
import { validateCreate } from './payment-intents.js';
import { parseSearchParams, searchAnswer } from './search.js';

export const STRIPE_CREATE_INTENT = 'POST /v1/payment_intents';

/** The cursor of a list window as a position, or Stripe's 400 for an id it does not hold. */
function cursorOf(
  window: ListWindow,
  object: string,
  stampOf: (id: string) => Stamp | undefined,
): { olderThan?: Stamp; newerThan?: Stamp } | Answer {
  const param = window.startingAfter !== undefined ? 'starting_after' : 'ending_before';
  const id = window.startingAfter ?? window.endingBefore;
  if (id === undefined) return {};
  const stamp = stampOf(id);
  if (!stamp) return noSuch(400, object, id, param);
  return param === 'starting_after' ? { olderThan: stamp } : { newerThan: stamp };
}

function bounds(window: ListWindow) {
  return {
    limit: window.limit,
    ...(window.minCreated === undefined ? {} : { minAt: window.minCreated }),
    ...(window.maxCreated === undefined ? {} : { maxAt: window.maxCreated }),
  };
}

function eventTypes(query: StripeQuery): string[] | Answer {
  const { type, types } = query;
  if (type !== undefined && types !== undefined)
    return invalidRequest('You may only specify one of these parameters: type, types.', { param: 'types' });
  if (typeof type === 'string') return [type];
  if (types === undefined) return [];
  const list = Array.isArray(types) ? types : typeof types === 'string' ? [types] : Object.values(types);
  if (list.length > 20)
    return invalidRequest('You may pass at most 20 values for types.', { param: 'types' });
  return list;
}

/**
 * Stripe's PaymentIntents (https://api.stripe.com): form-encoded bodies, Bearer secret key, Stripe's
 * idempotency rules; lists newest first with Stripe's cursors and `created` filters; an event for every
 * change of an intent, listed for 30 days, and sent as a webhook when the endpoint subscribes to its type.
 */
export function stripeProvider(
  core: SimCore,
  options: { searchIndexDelayMs?: number } = {},
): Provider & { account: StripeAccount } {
  const account = new StripeAccount(core);
  const { intents, events } = account;
  // Real time at which an intent created through the API reaches the search index; seeded ones are there.
  const indexedAt = new Map<string, number>();
  const searchDelayMs = options.searchIndexDelayMs ?? 0;

  return {
    name: 'stripe',
    account,
    drift: stripeDrift(account),
    seed: stripeSeeder(account),
    counts: () => ({ payment_intents: intents.size, charges: account.charges.size, events: events.size }),
    prefixes: ['/v1/'],
    authorized: hasBearer,
    errors: {
      unauthorized: () => stripeError(401, 'invalid_request_error', 'You did not provide an API key.'),
      notFound: (method, path) =>
        stripeError(404, 'invalid_request_error', `Unrecognized request URL (${method}: ${path}).`),
      invalid: (message) => stripeError(400, 'invalid_request_error', message),
      serverError: (status) => stripeError(status, 'api_error', 'Simulated provider failure.'),
      rateLimited: () =>
        stripeError(429, 'rate_limit_error', 'Too many requests hit the API too quickly.', {
          code: 'rate_limit',
        }),
      idempotencyMismatch: () =>
        stripeError(
          400,
          'idempotency_error',
          'Keys for idempotent requests can only be used with the same parameters they were first used with.',
        ),
      idempotencyInProgress: () =>
        stripeError(
          409,
          'idempotency_error',
          'There is currently another in-progress request using this Idempotency-Key.',
          { code: 'idempotency_key_in_use' },
        ),
    },
    routes: [
      {
        method: 'POST',
        path: '/v1/payment_intents',
        handler: effectRoute<StripeParams>({
          parse: (body) => ({ ok: true, params: parseStripeForm(body) }),
          validate: validateCreate,
          apply(params, _ctx, [key = NO_KEY]) {
            const { intent, answer, changes } = intents.create(params);
            indexedAt.set(intent.id, Date.now() + searchDelayMs);
            for (const change of changes) account.publish(change, key === NO_KEY ? null : key);
            return {
              kind: 'applied',
              answer,
              effects: [{ key, count: 1, objectId: intent.id }],
            };
          },
        }),
      },
      {
        method: 'GET',
        path: '/v1/payment_intents',
        handler: queryRoute(({ query }): Answer => {
          const params = parseStripeQuery(query);
          const window = parseListWindow(params, []);
          if (isAnswer(window)) return window;
          const expand = parseExpand(params, ['data.latest_charge']);
          if (isAnswer(expand)) return expand;
          const cursor = cursorOf(window, 'payment_intent', (id) => intents.stamp(id));
          if (isAnswer(cursor)) return cursor;
          const { page, intents: found } = intents.list({ ...bounds(window), ...cursor });
          const expanded = expand.includes('data.latest_charge');
          return listAnswer(
            '/v1/payment_intents',
            page,
            found.map((intent) => account.render(intent, expanded)),
          );
        }),
      },
      {
        // Before `/:id`, which would take `search` for an id.
        method: 'GET',
        path: '/v1/payment_intents/search',
        handler: queryRoute(({ query }): Answer => {
          const params = parseStripeQuery(query);
          const page = parseSearchParams(params);
          if (isAnswer(page)) return page;
          const now = Date.now();
          return searchAnswer(intents.all(), page, (intent) => (indexedAt.get(intent.id) ?? 0) <= now);
        }),
      },
      {
        method: 'GET',
        path: '/v1/payment_intents/:id',
        handler: queryRoute(({ params, query }): Answer => {
          const expand = parseExpand(parseStripeQuery(query), ['latest_charge']);
          if (isAnswer(expand)) return expand;
          const intent = intents.get(params.id!);
          return intent
            ? { status: 200, body: account.render(intent, expand.includes('latest_charge')) }
            : noSuch(404, 'payment_intent', params.id!);
        }),
      },
      {
        method: 'GET',
        path: '/v1/events',
        handler: queryRoute(({ query }): Answer => {
          const params = parseStripeQuery(query);
          const window = parseListWindow(params, ['type', 'types']);
          if (isAnswer(window)) return window;
          const expand = parseExpand(params, []);
          if (isAnswer(expand)) return expand;
          const types = eventTypes(params);
          if (isAnswer(types)) return types;
          const cursor = cursorOf(window, 'event', (id) => {
            const event = events.get(id);
            return event ? { at: event.created, id } : undefined;
          });
          if (isAnswer(cursor)) return cursor;
          const { page, events: found } = events.list({ ...bounds(window), ...cursor }, types);
          return listAnswer('/v1/events', page, found);
        }),
      },
      {
        method: 'GET',
        path: '/v1/events/:id',
        handler: queryRoute(({ params }): Answer => {
          const event = events.get(params.id!);
          return event ? { status: 200, body: event } : noSuch(404, 'event', params.id!);
        }),
      },
    ],
  };
}
