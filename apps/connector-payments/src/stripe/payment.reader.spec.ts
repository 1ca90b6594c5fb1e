import { paymentFields, paymentStatus, versionOf } from './payment.reader.js';
import type { StripePaymentIntent } from './stripe.client.js';

const intent = (overrides: Partial<StripePaymentIntent>): StripePaymentIntent => ({
  id: 'pi_1',
  object: 'payment_intent',
  amount: 4200,
  amount_received: 0,
  currency: 'eur',
  status: 'requires_payment_method',
  metadata: { tributary_payment_id: 'pay-1', tributary_order_id: 'order-1' },
  created: 1_700_000_000,
  ...overrides,
});

describe('payment reader mapping', () => {
  it.each([
    ['succeeded', null, 'succeeded'],
    ['canceled', null, 'canceled'],
    ['requires_payment_method', { code: 'card_declined' }, 'failed'],
    ['requires_payment_method', null, 'pending'],
    ['requires_confirmation', null, 'pending'],
    ['requires_action', null, 'pending'],
    ['processing', null, 'pending'],
    ['requires_capture', null, 'pending'],
  ])("maps Stripe's %s (error %j) to %s", (status, error, expected) => {
    expect(paymentStatus(intent({ status, last_payment_error: error }))).toBe(expected);
  });

  it('takes the amount received once succeeded, the amount asked for otherwise, and our order id', () => {
    expect(paymentFields(intent({ status: 'succeeded', amount_received: 4100 }))).toEqual({
      status: 'succeeded',
      amountMinor: '4100',
      currency: 'EUR',
      orderId: 'order-1',
    });
    expect(paymentFields(intent({ metadata: {} }))).toEqual({
      status: 'pending',
      amountMinor: '4200',
      currency: 'EUR',
      orderId: null,
    });
  });

  it('versions an intent by its latest known change: creation, cancellation or its latest charge', () => {
    expect(versionOf(intent({}))).toBe(1_700_000_000_000);
    expect(versionOf(intent({ canceled_at: 1_700_000_050 }))).toBe(1_700_000_050_000);
    expect(
      versionOf(intent({ latest_charge: { id: 'ch_1', object: 'charge', created: 1_700_000_020 } })),
    ).toBe(1_700_000_020_000);
    // Not expanded: only the id, no time.
    expect(versionOf(intent({ latest_charge: 'ch_1' }))).toBe(1_700_000_000_000);
  });
});
