import { sortableId } from '../core/ids.js';

export interface Charge {
  id: string;
  object: 'charge';
  amount: number;
  amount_captured: number;
  amount_refunded: number;
  currency: string;
  created: number;
  captured: boolean;
  paid: boolean;
  refunded: boolean;
  status: 'succeeded' | 'failed';
  payment_intent: string;
  payment_method: string | null;
  metadata: Record<string, string>;
  failure_code: string | null;
  failure_message: string | null;
  outcome: { type: 'authorized' | 'issuer_declined'; seller_message: string };
  livemode: false;
}

export interface ChargeAttempt {
  paymentIntent: string;
  amount: number;
  currency: string;
  paymentMethod: string | null;
  metadata: Record<string, string>;
  created: number;
  /** Absent: the charge succeeded. */
  failure?: { code: string; message: string };
}

const AUTHORIZED = Object.freeze({ type: 'authorized' as const, seller_message: 'Payment complete.' });
const DECLINED = Object.freeze({
  type: 'issuer_declined' as const,
  seller_message: 'The bank did not return any further details.',
});

/** The charges behind PaymentIntents: one per confirmation attempt, the intent's `latest_charge`. */
export class ChargeStore {
  readonly #charges = new Map<string, Charge>();

  get size(): number {
    return this.#charges.size;
  }

  attempt(attempt: ChargeAttempt): Charge {
    const failed = attempt.failure !== undefined;
    const charge: Charge = {
      id: sortableId('ch', 24),
      object: 'charge',
      amount: attempt.amount,
      amount_captured: failed ? 0 : attempt.amount,
      amount_refunded: 0,
      currency: attempt.currency,
      created: attempt.created,
      captured: !failed,
      paid: !failed,
      refunded: false,
      status: failed ? 'failed' : 'succeeded',
      payment_intent: attempt.paymentIntent,
      payment_method: attempt.paymentMethod,
      metadata: attempt.metadata,
      failure_code: attempt.failure?.code ?? null,
      failure_message: attempt.failure?.message ?? null,
      outcome: failed ? DECLINED : AUTHORIZED,
      livemode: false,
    };
    this.#charges.set(charge.id, charge);
    return charge;
  }

  get(id: string): Charge | undefined {
    return this.#charges.get(id);
  }
}
