import { ConnectorErrorCode, defineConnector, isProviderError } from '@tributary/connector-sdk';
import type { HandlerContext } from '@tributary/connector-sdk';
import type { EventOf } from '@tributary/contracts';
import { STRIPE_METADATA, stripeFailureCode, stripeWebhook } from '@tributary/webhooks';
import { z } from 'zod';
import { PAYMENT_INTENT_REF, paymentReader } from './stripe/payment.reader.js';
import { StripeClient, declinedIntent } from './stripe/stripe.client.js';
import { stripeShapes } from './stripe/stripe.shapes.js';
import type { StripePaymentIntent } from './stripe/stripe.client.js';

const config = z.object({
  // Stripe itself, or the simulator: pointing the connector at either is this variable.
  STRIPE_API_BASE: z.url().default('https://api.stripe.com'),
  STRIPE_API_KEY: z.string().min(1),
  // Confirms with this payment method when set (Stripe test methods such as pm_card_visa).
  STRIPE_PAYMENT_METHOD: z.string().min(1).optional(),
});

type PaymentsConfig = z.output<typeof config>;
type Context = HandlerContext<StripeClient, PaymentsConfig>;

/**
 * Payments on Stripe's API. A PaymentRequested becomes one confirmed PaymentIntent, created with the
 * event's idempotency key; the answer becomes PaymentSucceeded or PaymentFailed through the outbox, in the
 * transaction that records the event in the inbox, with the PaymentIntent mapped in external_refs.
 * Later changes arrive as Stripe webhooks, which ingestion maps with the same `stripeWebhook` definition.
 */
export const paymentsConnector = defineConnector({
  id: 'payments',
  provider: 'stripe',
  description: 'Collects payments through Stripe PaymentIntents.',
  config,
  // Stripe's secret and restricted keys say their mode: sk_live_/rk_live_ or sk_test_/rk_test_.
  credentials: {
    STRIPE_API_KEY: {
      classify: (key) =>
        /^(sk|rk)_live_/.test(key) ? 'live' : /^(sk|rk)_test_/.test(key) ? 'test' : 'unknown',
      unknownBecause: 'not a Stripe secret or restricted key (sk_/rk_ followed by live_ or test_)',
    },
  },
  http: (c) => ({
    baseUrl: c.STRIPE_API_BASE,
    defaultHeaders: { authorization: `Bearer ${c.STRIPE_API_KEY}` },
    idempotencyHeader: 'Idempotency-Key',
  }),
  client: (http) => new StripeClient(http),
  // Stripe allows 100 requests/s in live mode and 25 in test mode; its 429s still pause partitions.
  limits: {
    timeoutMs: 10_000,
    rateLimit: { requestsPerSecond: 25, burst: 25, maxWaitMs: 1_000 },
    breaker: { consecutiveFailures: 5, halfOpenAfterMs: 15_000 },
  },
  webhook: stripeWebhook,
  // Stripe may remove a key once it is 24 hours old; a replay after that would be a new PaymentIntent, so the
  // handler first searches for the one our paymentId names in its metadata (requestPayment).
  idempotency: {
    keyLifetimeMs: 24 * 3_600_000,
    lateReplay: { 'payments.payment.requested': 'lookup' },
  },
  handlers: {
    'payments.payment.requested': requestPayment,
  },
  // Reconciliation reads payments as Stripe holds them (payment.reader.ts), at low priority.
  reconcile: { payment: paymentReader },
  // What this connector reads of Stripe's answers (stripe/stripe.shapes.ts): reconciliation reports
  // a change to it as an error.
  shapes: stripeShapes,
});

async function requestPayment(event: EventOf<'payments.payment.requested'>, ctx: Context): Promise<void> {
  const request = event.data;
  // Only past the key's lifetime: Stripe's search lags its writes, the key does not.
  const earlier = await ctx.lookupBeforeCall(async () =>
    reportedIntent(
      await ctx.provider.searchPaymentIntentsByMetadata(
        STRIPE_METADATA.paymentId,
        request.paymentId,
        ctx.signal,
      ),
    ),
  );
  if (earlier)
    ctx.logger.info({ paymentIntent: earlier.id }, 'found the PaymentIntent of an earlier attempt');
  const intent = earlier ?? (await createIntent(request, ctx));
  await ctx.commit(async (tx) => {
    await tx.externalRefs.upsert(PAYMENT_INTENT_REF, intent.id, request.paymentId);
    if (intent.status === 'succeeded') {
      await tx.publish(
        ctx.newEvent('payments.payment.succeeded', request.paymentId, {
          paymentId: request.paymentId,
          orderId: request.orderId,
          customerId: request.customerId,
          amountMinor: intent.amount_received ?? intent.amount,
          currency: intent.currency.toUpperCase(),
          provider: 'stripe',
          providerPaymentId: intent.id,
          feeAmountMinor: null,
          succeededAt: Date.now(),
        }),
      );
    } else if (intent.last_payment_error) {
      await tx.publish(
        ctx.newEvent('payments.payment.failed', request.paymentId, {
          paymentId: request.paymentId,
          orderId: request.orderId,
          provider: 'stripe',
          failureCode: stripeFailureCode(intent.last_payment_error),
          providerFailureCode:
            intent.last_payment_error.decline_code ?? intent.last_payment_error.code ?? null,
          failureMessage: intent.last_payment_error.message ?? null,
          failedAt: Date.now(),
        }),
      );
    }
    // Anything else (processing, requires_action) is settled later by Stripe's webhook through ingestion.
  });
}

/**
 * Of the intents a search found for one payment, the one to report: one that was paid if any, else the
 * oldest (the first attempt's).
 */
function reportedIntent(intents: readonly StripePaymentIntent[]): StripePaymentIntent | undefined {
  const paid = intents.filter((intent) => intent.status === 'succeeded');
  const pool = paid.length > 0 ? paid : intents;
  return [...pool].sort((a, b) => (a.created ?? 0) - (b.created ?? 0))[0];
}

async function createIntent(
  request: EventOf<'payments.payment.requested'>['data'],
  ctx: Context,
): Promise<StripePaymentIntent> {
  try {
    return await ctx.provider.createPaymentIntent(
      {
        amount: request.amountMinor,
        currency: request.currency,
        confirm: true,
        ...(ctx.config.STRIPE_PAYMENT_METHOD ? { paymentMethod: ctx.config.STRIPE_PAYMENT_METHOD } : {}),
        ...(request.paymentMethod ? { paymentMethodTypes: [request.paymentMethod] } : {}),
        ...(request.description ? { description: request.description } : {}),
        metadata: {
          [STRIPE_METADATA.paymentId]: request.paymentId,
          [STRIPE_METADATA.orderId]: request.orderId,
          [STRIPE_METADATA.customerId]: request.customerId,
        },
      },
      { idempotencyKey: ctx.idempotencyKey, signal: ctx.signal },
    );
  } catch (error) {
    // A decline is an answer, not a failure of the connector: it becomes PaymentFailed. Other 4xx go to the DLQ.
    const declined =
      isProviderError(error) && error.code === ConnectorErrorCode.providerRejected && error.status === 402
        ? declinedIntent(error.body)
        : undefined;
    if (!declined) throw error;
    return declined;
  }
}
