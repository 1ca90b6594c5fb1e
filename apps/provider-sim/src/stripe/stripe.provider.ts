import { randomBytes } from 'node:crypto';
import type { Answer } from '../core/http.js';
import { effectRoute, hasBearer, NO_KEY, queryRoute } from '../core/provider.js';
import type { Provider, SimCore } from '../core/provider.js';
import { parseStripeForm } from './form.js';
import type { StripeParams } from './form.js';
import { PaymentIntentStore, stripeError, validateCreate } from './payment-intents.js';
import type { PaymentIntent } from './payment-intents.js';

export const STRIPE_CREATE_INTENT = 'POST /v1/payment_intents';

/**
 * Stripe's PaymentIntents (https://api.stripe.com): form-encoded bodies, Bearer secret key, Stripe's
 * idempotency rules, and `payment_intent.succeeded` / `payment_intent.payment_failed` events.
 */
export function stripeProvider(core: SimCore): Provider {
  const intents = new PaymentIntentStore(core.clock);

  const event = (intent: PaymentIntent) => {
    const type = intent.status === 'succeeded' ? 'payment_intent.succeeded' : 'payment_intent.payment_failed';
    const id = `evt_${randomBytes(12).toString('hex')}`;
    return {
      id,
      type,
      payload: {
        id,
        object: 'event',
        type,
        created: core.clock.seconds(),
        data: { object: intent },
      },
    };
  };

  return {
    name: 'stripe',
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
            const { intent, answer } = intents.create(params);
            core.webhooks.emit('stripe', [{ afterMs: 0, produce: () => event(intent) }]);
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
        path: '/v1/payment_intents/:id',
        handler: queryRoute(({ params }): Answer => {
          const intent = intents.get(params.id!);
          return intent
            ? { status: 200, body: intent }
            : stripeError(404, 'invalid_request_error', `No such payment_intent: '${params.id}'`, {
                code: 'resource_missing',
              });
        }),
      },
    ],
  };
}
