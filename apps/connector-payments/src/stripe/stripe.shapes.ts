import type { EndpointDeclaration, ShapeDeclarations, ShapeReliance } from '@tributary/provider-shapes';

const HANDLER = 'connector-payments: src/payments.connector.ts requestPayment';
const LOOKUP = 'connector-payments: src/payments.connector.ts reportedIntent';
const DECLINE = 'connector-payments: src/stripe/stripe.client.ts declinedIntent';
const RECORD = 'connector-payments: src/stripe/payment.reader.ts recordOf';
const FIELDS = 'connector-payments: src/stripe/payment.reader.ts paymentFields';
const STATUS = 'connector-payments: src/stripe/payment.reader.ts paymentStatus';
const VERSION = 'connector-payments: src/stripe/payment.reader.ts versionOf';
const INCREMENTAL = 'connector-payments: src/stripe/payment.reader.ts readChanges';
const FULL = 'connector-payments: src/stripe/payment.reader.ts readAll';
const ENVELOPE = 'connector-payments: src/stripe/stripe.client.ts listOf';

/**
 * The statuses requestPayment acts on: `succeeded` and a failed attempt (`requires_payment_method` with an
 * error) are published, `requires_action` and `processing` are left to the webhooks. A confirmed intent of
 * ours takes no other; one that does is an answer the handler would silently leave unpublished.
 */
const HANDLED_BY_HANDLER = ['succeeded', 'requires_payment_method', 'requires_action', 'processing'];

/** Stripe's documented PaymentIntent statuses, all of which paymentStatus maps (the rest of them to pending). */
const HANDLED_BY_READER = [
  'requires_payment_method',
  'requires_confirmation',
  'requires_action',
  'processing',
  'requires_capture',
  'canceled',
  'succeeded',
];

/** Stripe's error types: card_error is a decline (PaymentFailed), every other one a rejection. */
const ERROR_TYPES = ['api_error', 'card_error', 'idempotency_error', 'invalid_request_error'];

/**
 * Stripe members naming or locating a person that the ownership map's field names do not cover: the
 * intent's receipt address and shipping recipient, and the expanded charge's billing details.
 */
export const STRIPE_PERSONAL_DATA = [
  'receipt_email',
  'shipping.name',
  'shipping.phone',
  'shipping.address',
  'billing_details.name',
  'billing_details.address',
];

const relies = (path: string, usedBy: string, values?: readonly string[]): ShapeReliance =>
  values ? { path, usedBy, values } : { path, usedBy };

/** What requestPayment publishes from an intent at `at`: PaymentSucceeded's amount, or PaymentFailed's codes. */
function handlerReads(at: string): ShapeReliance[] {
  return [
    relies(`${at}.id`, HANDLER),
    relies(`${at}.status`, HANDLER, HANDLED_BY_HANDLER),
    relies(`${at}.amount`, HANDLER),
    relies(`${at}.amount_received`, HANDLER),
    relies(`${at}.currency`, HANDLER),
    relies(`${at}.last_payment_error.code`, HANDLER),
    relies(`${at}.last_payment_error.decline_code`, HANDLER),
    relies(`${at}.last_payment_error.message`, HANDLER),
  ];
}

/** What the reconciliation reader makes a payment record of, from an intent at `at`. */
function readerReads(at: string, version: readonly ShapeReliance[]): ShapeReliance[] {
  return [
    relies(`${at}.id`, RECORD),
    relies(`${at}.metadata.tributary_payment_id`, RECORD),
    relies(`${at}.metadata.tributary_order_id`, FIELDS),
    relies(`${at}.status`, STATUS, HANDLED_BY_READER),
    relies(`${at}.last_payment_error`, STATUS),
    relies(`${at}.amount`, FIELDS),
    relies(`${at}.amount_received`, FIELDS),
    relies(`${at}.currency`, FIELDS),
    ...version,
  ];
}

/** versionOf over an intent whose latest charge was expanded. */
const expandedVersion = (at: string) => [
  relies(`${at}.created`, VERSION),
  relies(`${at}.canceled_at`, VERSION),
  relies(`${at}.latest_charge.created`, VERSION),
];

const declared = (reliesOn: ShapeReliance[]): EndpointDeclaration => ({
  reliesOn,
  personalData: STRIPE_PERSONAL_DATA,
});

/**
 * What the payments connector reads of each Stripe answer, by the operation label its client sends
 * (docs/architecture.md#provider-shapes).
 */
export const stripeShapes: ShapeDeclarations = {
  // A 200 is the confirmed intent; a 402 a decline carrying it in `error.payment_intent`.
  'payment_intents.create': declared([
    ...handlerReads('$'),
    relies('$.error.type', DECLINE, ERROR_TYPES),
    relies('$.error.payment_intent', DECLINE),
    ...handlerReads('$.error.payment_intent'),
  ]),
  // A late replay's lookup: the paid intent if any, else the first attempt's.
  'payment_intents.search': declared([
    relies('$.object', HANDLER, ['search_result']),
    ...handlerReads('$.data[]'),
    relies('$.data[].status', LOOKUP, HANDLED_BY_HANDLER),
    relies('$.data[].created', LOOKUP),
  ]),
  'payment_intents.retrieve': declared(readerReads('$', expandedVersion('$'))),
  'payment_intents.list': declared([
    relies('$.object', ENVELOPE, ['list']),
    relies('$.has_more', FULL),
    ...readerReads('$.data[]', expandedVersion('$.data[]')),
  ]),
  // The intent of each event is its `data.object` as of the event, versioned by the event's time.
  'events.list': declared([
    relies('$.object', ENVELOPE, ['list']),
    relies('$.has_more', INCREMENTAL),
    relies('$.data[].id', INCREMENTAL),
    relies('$.data[].created', INCREMENTAL),
    relies('$.data[].data.object.created', INCREMENTAL),
    ...readerReads('$.data[].data.object', []),
  ]),
};
