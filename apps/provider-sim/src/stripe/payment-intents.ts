import { SimClock } from '../core/clock.js';
import type { Answer } from '../core/http.js';
import { sortableId } from '../core/ids.js';
import { Timeline } from '../core/timeline.js';
import type { Page, PageQuery, Stamp } from '../core/timeline.js';
import { ChargeStore } from './charges.js';
import { invalidRequest, stripeError } from './errors.js';
import type { StripeParams } from './form.js';

export const INTENT_STATUSES = [
  'requires_payment_method',
  'requires_confirmation',
  'requires_action',
  'processing',
  'requires_capture',
  'canceled',
  'succeeded',
] as const;

export type IntentStatus = (typeof INTENT_STATUSES)[number];

export interface PaymentIntent {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_capturable: number;
  amount_received: number;
  currency: string;
  status: IntentStatus;
  metadata: Record<string, string>;
  payment_method: string | null;
  payment_method_types: string[];
  capture_method: 'automatic';
  description: string | null;
  created: number;
  canceled_at: number | null;
  cancellation_reason: string | null;
  latest_charge: string | null;
  last_payment_error: { code: string; decline_code?: string; message: string } | null;
  livemode: false;
}

/**
 * One change of an intent, as Stripe records it: the intent after the change, the fields it changed (their
 * old values) and the event type Stripe generates for it (none for a change Stripe has no event for).
 */
export interface IntentChange {
  intent: PaymentIntent;
  type: string | undefined;
  previous: Partial<PaymentIntent>;
}

/** The event Stripe generates when an intent reaches a status; `requires_confirmation` has none. */
export const STATUS_EVENT: Record<IntentStatus, string | undefined> = {
  succeeded: 'payment_intent.succeeded',
  canceled: 'payment_intent.canceled',
  processing: 'payment_intent.processing',
  requires_payment_method: 'payment_intent.payment_failed',
  requires_action: 'payment_intent.requires_action',
  requires_capture: 'payment_intent.amount_capturable_updated',
  requires_confirmation: undefined,
};

/** Stripe's test payment methods that decline, so the failed path can be exercised. */
const DECLINES: Record<string, { code: string; decline_code: string; message: string }> = {
  pm_card_chargeDeclined: {
    code: 'card_declined',
    decline_code: 'generic_decline',
    message: 'Your card was declined.',
  },
  pm_card_chargeDeclinedInsufficientFunds: {
    code: 'card_declined',
    decline_code: 'insufficient_funds',
    message: 'Your card has insufficient funds.',
  },
};

type Decline = (typeof DECLINES)[string];

export const GENERIC_DECLINE: Decline = DECLINES.pm_card_chargeDeclined!;

/** Checks parameters like Stripe does before anything happens: a 400 here applies no effect. */
export function validateCreate(params: StripeParams): Answer | undefined {
  const amount = params.amount;
  if (typeof amount !== 'string' || !/^\d+$/.test(amount) || Number(amount) < 1)
    return invalidRequest('Missing or invalid required param: amount.', { param: 'amount' });
  if (typeof params.currency !== 'string' || !/^[a-zA-Z]{3}$/.test(params.currency))
    return invalidRequest('Missing or invalid required param: currency.', { param: 'currency' });
  return undefined;
}

/** The fields a change touched, with their values before it: an event's `previous_attributes`. */
export function previousOf(before: PaymentIntent, after: PaymentIntent): Partial<PaymentIntent> {
  const previous: Record<string, unknown> = {};
  for (const key of Object.keys(after) as (keyof PaymentIntent)[]) {
    const [old, now] = [before[key], after[key]];
    // Versions share their unchanged objects, so identity settles most fields without rendering them.
    const same = old === now || (typeof old === 'object' && JSON.stringify(old) === JSON.stringify(now));
    if (!same) previous[key] = old;
  }
  return previous as Partial<PaymentIntent>;
}

export interface NewIntent {
  amount: number;
  currency: string;
  metadata: Record<string, string>;
  paymentMethod: string | null;
  paymentMethodTypes?: string[];
  description?: string | null;
  /** Seconds. */
  created: number;
}

/** An intent as created, before any confirmation. */
export function newIntent(init: NewIntent): PaymentIntent {
  return {
    id: sortableId('pi', 24),
    object: 'payment_intent',
    amount: init.amount,
    amount_capturable: 0,
    amount_received: 0,
    currency: init.currency,
    status: init.paymentMethod ? 'requires_confirmation' : 'requires_payment_method',
    metadata: init.metadata,
    payment_method: init.paymentMethod,
    payment_method_types: init.paymentMethodTypes ?? ['card'],
    capture_method: 'automatic',
    description: init.description ?? null,
    created: init.created,
    canceled_at: null,
    cancellation_reason: null,
    latest_charge: null,
    last_payment_error: null,
    livemode: false,
  };
}

/** The intent after a confirmation attempt whose charge is `chargeId`: succeeded, or declined. */
export function confirmed(before: PaymentIntent, chargeId: string, decline?: Decline): PaymentIntent {
  return decline
    ? {
        ...before,
        status: 'requires_payment_method',
        amount_received: 0,
        latest_charge: chargeId,
        last_payment_error: { ...decline },
      }
    : {
        ...before,
        status: 'succeeded',
        amount_capturable: 0,
        amount_received: before.amount,
        latest_charge: chargeId,
        last_payment_error: null,
        canceled_at: null,
      };
}

/**
 * Stripe's PaymentIntents. Each stored intent is never mutated: a change stores a new version, so an event
 * (or a stored idempotent answer) keeps the intent exactly as it was when it happened.
 */
export class PaymentIntentStore {
  readonly #intents = new Map<string, PaymentIntent>();
  readonly #timeline = new Timeline();

  constructor(
    private readonly clock: SimClock = new SimClock(),
    readonly charges: ChargeStore = new ChargeStore(),
  ) {}

  get size(): number {
    return this.#intents.size;
  }

  /**
   * The effect: one PaymentIntent, confirmed at once when asked (`confirm=true`). Its changes are its
   * creation and, when confirmed, the confirmation's outcome.
   */
  create(params: StripeParams): { intent: PaymentIntent; answer: Answer; changes: IntentChange[] } {
    const paymentMethod = typeof params.payment_method === 'string' ? params.payment_method : null;
    const types = params.payment_method_types;
    const created = newIntent({
      amount: Number(params.amount),
      currency: String(params.currency).toLowerCase(),
      metadata: typeof params.metadata === 'object' ? params.metadata : {},
      paymentMethod,
      ...(typeof types === 'object' ? { paymentMethodTypes: Object.values(types) } : {}),
      description: typeof params.description === 'string' ? params.description : null,
      created: this.clock.seconds(),
    });
    this.#store(created);
    const changes: IntentChange[] = [{ intent: created, type: 'payment_intent.created', previous: {} }];
    if (params.confirm !== 'true')
      return { intent: created, answer: { status: 200, body: created }, changes };

    const decline = paymentMethod ? DECLINES[paymentMethod] : undefined;
    const confirmed = this.#confirm(created, decline);
    changes.push(confirmed);
    const intent = confirmed.intent;
    // Stripe answers a declined confirmation with 402 and the intent inside the error.
    const answer: Answer = decline
      ? stripeError(402, 'card_error', decline.message, {
          code: decline.code,
          decline_code: decline.decline_code,
          payment_intent: intent,
        })
      : { status: 200, body: intent };
    return { intent, answer, changes };
  }

  get(id: string): PaymentIntent | undefined {
    return this.#intents.get(id);
  }

  /** Every intent as it is now, in no particular order (search filters and sorts). */
  all(): IterableIterator<PaymentIntent> {
    return this.#intents.values();
  }

  /** Where an intent sits in the list, for a cursor. */
  stamp(id: string): Stamp | undefined {
    const intent = this.#intents.get(id);
    return intent ? { at: intent.created, id } : undefined;
  }

  list(query: PageQuery): { page: Page; intents: PaymentIntent[] } {
    const page = this.#timeline.page(query);
    return { page, intents: page.ids.map((id) => this.#intents.get(id)!) };
  }

  /**
   * An out-of-band change (the Dashboard, support, a bank's late answer): the intent reaches `status` with
   * the fields Stripe sets on the way.
   */
  setStatus(id: string, status: IntentStatus): IntentChange | undefined {
    const before = this.#intents.get(id);
    if (!before) return undefined;
    const now = this.clock.seconds();
    let after: PaymentIntent = { ...before, status };
    switch (status) {
      case 'succeeded':
        return this.#confirm(before, undefined);
      case 'requires_payment_method':
        return this.#confirm(before, GENERIC_DECLINE);
      case 'canceled':
        after = { ...after, canceled_at: now, amount_capturable: 0 };
        break;
      case 'requires_capture':
        after = { ...after, amount_capturable: before.amount };
        break;
      default:
        break;
    }
    this.#store(after);
    return { intent: after, type: STATUS_EVENT[status], previous: previousOf(before, after) };
  }

  /** Many intents at once, for seeding: stored and listed, with no change recorded. */
  storeMany(intents: readonly PaymentIntent[]): void {
    for (const intent of intents) this.#intents.set(intent.id, intent);
    this.#timeline.addMany(intents.map((intent) => ({ at: intent.created, id: intent.id })));
  }

  /** A confirmation attempt: a charge, and the intent succeeded or back to requiring a payment method. */
  #confirm(before: PaymentIntent, decline: Decline | undefined): IntentChange {
    const created = this.clock.seconds();
    const charge = this.charges.attempt({
      paymentIntent: before.id,
      amount: before.amount,
      currency: before.currency,
      paymentMethod: before.payment_method,
      metadata: before.metadata,
      created,
      ...(decline ? { failure: { code: decline.code, message: decline.message } } : {}),
    });
    const after = confirmed(before, charge.id, decline);
    this.#store(after);
    return { intent: after, type: STATUS_EVENT[after.status], previous: previousOf(before, after) };
  }

  #store(intent: PaymentIntent): void {
    const known = this.#intents.has(intent.id);
    this.#intents.set(intent.id, intent);
    if (!known) this.#timeline.add({ at: intent.created, id: intent.id });
  }
}
