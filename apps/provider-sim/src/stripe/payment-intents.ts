import { randomBytes } from 'node:crypto';
import { SimClock } from '../core/clock.js';
import type { Answer } from '../core/http.js';
import type { StripeParams } from './form.js';

export interface PaymentIntent {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_received: number;
  currency: string;
  status: 'requires_confirmation' | 'requires_payment_method' | 'succeeded';
  metadata: Record<string, string>;
  payment_method: string | null;
  description: string | null;
  created: number;
  last_payment_error: { code: string; decline_code?: string; message: string } | null;
}

export type StripeAnswer = Answer;

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

export function stripeError(
  status: number,
  type: string,
  message: string,
  extra: Record<string, unknown> = {},
): StripeAnswer {
  return { status, body: { error: { type, message, ...extra } } };
}

/** Checks parameters like Stripe does before anything happens: a 400 here applies no effect. */
export function validateCreate(params: StripeParams): StripeAnswer | undefined {
  const amount = params.amount;
  if (typeof amount !== 'string' || !/^\d+$/.test(amount) || Number(amount) < 1)
    return stripeError(400, 'invalid_request_error', 'Missing or invalid required param: amount.', {
      param: 'amount',
    });
  if (typeof params.currency !== 'string' || !/^[a-zA-Z]{3}$/.test(params.currency))
    return stripeError(400, 'invalid_request_error', 'Missing or invalid required param: currency.', {
      param: 'currency',
    });
  return undefined;
}

export class PaymentIntentStore {
  readonly #intents = new Map<string, PaymentIntent>();

  constructor(private readonly clock: SimClock = new SimClock()) {}

  /** The effect: one PaymentIntent, confirmed at once when asked (`confirm=true`). */
  create(params: StripeParams): { intent: PaymentIntent; answer: StripeAnswer } {
    const paymentMethod = typeof params.payment_method === 'string' ? params.payment_method : null;
    const confirm = params.confirm === 'true';
    const decline = paymentMethod ? DECLINES[paymentMethod] : undefined;
    const amount = Number(params.amount);
    const intent: PaymentIntent = {
      id: `pi_${randomBytes(12).toString('hex')}`,
      object: 'payment_intent',
      amount,
      amount_received: confirm && !decline ? amount : 0,
      currency: String(params.currency).toLowerCase(),
      status: !confirm ? 'requires_confirmation' : decline ? 'requires_payment_method' : 'succeeded',
      metadata: typeof params.metadata === 'object' ? params.metadata : {},
      payment_method: paymentMethod,
      description: typeof params.description === 'string' ? params.description : null,
      created: this.clock.seconds(),
      last_payment_error: confirm && decline ? { ...decline } : null,
    };
    this.#intents.set(intent.id, intent);
    // Stripe answers a declined confirmation with 402 and the intent inside the error.
    const answer: StripeAnswer =
      confirm && decline
        ? stripeError(402, 'card_error', decline.message, {
            code: decline.code,
            decline_code: decline.decline_code,
            payment_intent: intent,
          })
        : { status: 200, body: intent };
    return { intent, answer };
  }

  get(id: string): PaymentIntent | undefined {
    return this.#intents.get(id);
  }
}
