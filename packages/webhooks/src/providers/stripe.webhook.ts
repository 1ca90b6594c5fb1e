import type { EventOf } from '@tributary/contracts';
import type { EndpointDeclaration, ShapeReliance } from '@tributary/provider-shapes';
import { z } from 'zod';
import { defineMapping, defineWebhook } from '../definition.js';
import type { MappingContext, MappingOutcome } from '../definition.js';
import { stripeScheme } from '../schemes/stripe.scheme.js';
import { parseEnvelope } from './envelope.js';

/**
 * Metadata keys the payments connector sets on every PaymentIntent it creates, so that Stripe's callbacks
 * carry our ids back. A PaymentIntent created elsewhere falls back to `external_refs` (stripe,
 * payment_intent, pi_...).
 */
export const STRIPE_METADATA = {
  paymentId: 'tributary_payment_id',
  orderId: 'tributary_order_id',
  customerId: 'tributary_customer_id',
} as const;

const envelope = z.object({
  id: z.string().min(1),
  object: z.literal('event'),
  type: z.string().min(1),
  created: z.number().int().positive(),
  data: z.object({ object: z.record(z.string(), z.unknown()) }),
});

const paymentIntent = z.object({
  id: z.string().min(1),
  object: z.literal('payment_intent'),
  amount: z.number().int().nonnegative(),
  amount_received: z.number().int().nonnegative().optional(),
  currency: z.string().length(3),
  metadata: z.record(z.string(), z.string()).default({}),
  last_payment_error: z
    .object({
      code: z.string().nullish(),
      decline_code: z.string().nullish(),
      message: z.string().nullish(),
    })
    .nullish(),
});

const paymentIntentEvent = <T extends string>(type: T) =>
  envelope.extend({ type: z.literal(type), data: z.object({ object: paymentIntent }) });

type PaymentIntent = z.infer<typeof paymentIntent>;

/** Our payment and order ids for a PaymentIntent, or the reason they are not known. */
async function internalIds(
  intent: PaymentIntent,
  context: MappingContext,
): Promise<{ paymentId: string; orderId: string } | { unresolved: string }> {
  const paymentId =
    intent.metadata[STRIPE_METADATA.paymentId] ?? (await context.refs.find('payment_intent', intent.id));
  const orderId = intent.metadata[STRIPE_METADATA.orderId];
  if (!paymentId || !orderId) {
    return {
      unresolved: `PaymentIntent ${intent.id} carries no ${STRIPE_METADATA.paymentId}/${STRIPE_METADATA.orderId} metadata and has no external ref`,
    };
  }
  return { paymentId, orderId };
}

/** Stripe's failure codes → the platform's provider-independent ones (PaymentFailed.failureCode). */
export function stripeFailureCode(error: PaymentIntent['last_payment_error']): string {
  if (error?.decline_code === 'insufficient_funds') return 'INSUFFICIENT_FUNDS';
  switch (error?.code) {
    case 'card_declined':
      return 'CARD_DECLINED';
    case 'expired_card':
      return 'CARD_EXPIRED';
    case 'incorrect_cvc':
    case 'incorrect_number':
    case 'invalid_expiry_month':
    case 'invalid_expiry_year':
      return 'CARD_INVALID';
    case 'authentication_required':
      return 'AUTHENTICATION_FAILED';
    default:
      return 'PROVIDER_REJECTED';
  }
}

const EVENTS = 'webhooks: src/providers/stripe.webhook.ts stripeWebhook.events';
const IDS = 'webhooks: src/providers/stripe.webhook.ts internalIds';
const FAILURE = 'webhooks: src/providers/stripe.webhook.ts stripeFailureCode';
const mappingOf = (type: string) => `webhooks: src/providers/stripe.webhook.ts stripeWebhook ${type}`;

/** What a PaymentIntent event's mapping reads of it, and the intent's members naming a person. */
function paymentIntentShape(type: string, extra: readonly ShapeReliance[]): EndpointDeclaration {
  const mapping = mappingOf(type);
  return {
    // A PaymentIntent's status is one of Stripe's closed set: a new value is worth knowing before a
    // mapping meets it.
    enums: ['$.data.object.status'],
    reliesOn: [
      { path: '$.id', usedBy: EVENTS },
      { path: '$.type', values: [type], usedBy: EVENTS },
      { path: '$.created', usedBy: EVENTS },
      { path: '$.created', usedBy: mapping },
      { path: '$.data.object.object', values: ['payment_intent'], usedBy: mapping },
      { path: '$.data.object.id', usedBy: IDS },
      { path: `$.data.object.metadata.${STRIPE_METADATA.paymentId}`, usedBy: IDS },
      { path: `$.data.object.metadata.${STRIPE_METADATA.orderId}`, usedBy: IDS },
      ...extra,
    ],
    personalData: ['receipt_email', 'shipping.name', 'shipping.phone', 'shipping.address'],
  };
}

const base = (context: MappingContext, subject: string, created: number) => ({
  id: context.newEventId(),
  source: context.source,
  subject,
  time: new Date(created * 1000).toISOString(),
  ...(context.correlationId ? { correlationId: context.correlationId } : {}),
});

/**
 * Stripe (payments). Signed with the Stripe scheme; one event per delivery, deduplicated on the event id
 * (`evt_...`), which Stripe keeps across its retries for up to three days.
 */
export const stripeWebhook = defineWebhook({
  provider: 'stripe',
  domain: 'payments',
  description: 'Stripe events (PaymentIntents) signed with Stripe-Signature.',
  scheme: stripeScheme(),
  secretsEnv: 'STRIPE_WEBHOOK_SECRETS',
  retryHorizonSeconds: 3 * 24 * 3600,
  events(body) {
    const event = parseEnvelope('Stripe', envelope, body);
    return [
      { dedupeKey: event.id, type: event.type, occurredAt: new Date(event.created * 1000), payload: body },
    ];
  },
  mappings: {
    'payment_intent.succeeded': defineMapping(
      paymentIntentEvent('payment_intent.succeeded'),
      ['payments.payment.succeeded'],
      async (event, context): Promise<MappingOutcome> => {
        const intent = event.data.object;
        const ids = await internalIds(intent, context);
        if ('unresolved' in ids) return { kind: 'unresolved', reason: ids.unresolved };
        const succeeded: EventOf<'payments.payment.succeeded'> = {
          ...base(context, ids.paymentId, event.created),
          type: 'payments.payment.succeeded',
          data: {
            paymentId: ids.paymentId,
            orderId: ids.orderId,
            customerId: intent.metadata[STRIPE_METADATA.customerId] ?? null,
            amountMinor: intent.amount_received ?? intent.amount,
            currency: intent.currency.toUpperCase(),
            provider: 'stripe',
            providerPaymentId: intent.id,
            feeAmountMinor: null,
            succeededAt: event.created * 1000,
          },
        };
        return { kind: 'mapped', events: [succeeded] };
      },
    ),
    'payment_intent.payment_failed': defineMapping(
      paymentIntentEvent('payment_intent.payment_failed'),
      ['payments.payment.failed'],
      async (event, context): Promise<MappingOutcome> => {
        const intent = event.data.object;
        const ids = await internalIds(intent, context);
        if ('unresolved' in ids) return { kind: 'unresolved', reason: ids.unresolved };
        const error = intent.last_payment_error;
        const failed: EventOf<'payments.payment.failed'> = {
          ...base(context, ids.paymentId, event.created),
          type: 'payments.payment.failed',
          data: {
            paymentId: ids.paymentId,
            orderId: ids.orderId,
            provider: 'stripe',
            failureCode: stripeFailureCode(error),
            providerFailureCode: error?.decline_code ?? error?.code ?? null,
            failureMessage: error?.message ?? null,
            failedAt: event.created * 1000,
          },
        };
        return { kind: 'mapped', events: [failed] };
      },
    ),
  },
  shapes: {
    'payment_intent.succeeded': paymentIntentShape('payment_intent.succeeded', [
      {
        path: `$.data.object.metadata.${STRIPE_METADATA.customerId}`,
        usedBy: mappingOf('payment_intent.succeeded'),
      },
      { path: '$.data.object.amount', usedBy: mappingOf('payment_intent.succeeded') },
      { path: '$.data.object.amount_received', usedBy: mappingOf('payment_intent.succeeded') },
      { path: '$.data.object.currency', usedBy: mappingOf('payment_intent.succeeded') },
    ]),
    'payment_intent.payment_failed': paymentIntentShape('payment_intent.payment_failed', [
      { path: '$.data.object.last_payment_error.code', usedBy: FAILURE },
      { path: '$.data.object.last_payment_error.decline_code', usedBy: FAILURE },
      {
        path: '$.data.object.last_payment_error.message',
        usedBy: mappingOf('payment_intent.payment_failed'),
      },
    ]),
  },
});
