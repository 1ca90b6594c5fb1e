import { examine } from './checks.js';
import type { Collected, TapRecord } from './checks.js';
import { planFaults } from './plan.js';

const order = { orderId: 'o1', paymentId: 'p1', customerId: 'c1', acceptedAt: 0 };
let offset = 0;
const rec = (topic: string, type: string, subject: string, id = `${type}|${subject}`): TapRecord => ({
  id,
  topic: `run.${topic}`,
  partition: 0,
  offset: String(offset++),
  type,
  subject,
  source: '/x',
  timestamp: 0,
});
const healthy = (): Collected => ({
  orders: [order],
  records: [
    rec('commerce.order.v1', 'commerce.order.placed', 'o1'),
    rec('payments.payment.v1', 'payments.payment.requested', 'p1'),
    rec('payments.payment.v1', 'payments.payment.succeeded', 'p1'),
    rec('logistics.shipment.v1', 'logistics.shipment.requested', 's1'),
    rec('logistics.shipment.v1', 'logistics.shipment.created', 's1'),
  ],
  states: new Map([['o1', { status: 'delivered', shipmentId: 's1' }]]),
  paymentEffects: new Map([['p1', 1]]),
  shipmentEffects: new Map([['s1', 1]]),
  contactEffects: new Map([['c1', 1]]),
  ledger: [{ route: 'POST /v1/payment_intents', idempotencyKey: 'k', effects: 1 }],
  deadLetters: [],
});

describe('the soak checks', () => {
  it('finds nothing wrong in a healthy order', () => {
    const f = examine(healthy());
    expect([f.lost, f.doubled, f.orderViolations, f.unexplained]).toEqual([[], [], [], []]);
    expect(f.terminal).toBe(1);
  });

  it('counts a second effect per key, per order and a once-only record seen twice', () => {
    const c = healthy();
    const f = examine({
      ...c,
      records: [...c.records, rec('payments.payment.v1', 'payments.payment.requested', 'p1', 'second-event')],
      paymentEffects: new Map([['p1', 2]]),
      ledger: [{ route: 'POST /v1/payment_intents', idempotencyKey: 'k', effects: 2 }],
    });
    expect(f.doubled).toHaveLength(3);
  });

  it('counts a resent copy of an event (same id, new offset) as a copy, not as a doubled event', () => {
    const c = healthy();
    const f = examine({
      ...c,
      records: [...c.records, rec('payments.payment.v1', 'payments.payment.requested', 'p1')],
    });
    expect(f.doubled).toEqual([]);
    expect(f.copies).toBe(1);
    expect(f.onKafka['payments.payment.requested']).toBe(1);
  });

  it('finds an outcome before its request on a key, and a missing request', () => {
    // Offsets follow creation: the outcome is written to the key's partition before its request.
    const early = rec('payments.payment.v1', 'payments.payment.succeeded', 'p1');
    const c = healthy();
    const f = examine({
      ...c,
      records: [early, ...c.records.filter((r) => r.type !== 'payments.payment.succeeded')],
    });
    expect(f.orderViolations).toHaveLength(1);
    const lost = examine({ ...c, records: c.records.filter((r) => r.type !== 'payments.payment.requested') });
    expect(lost.lost).toEqual(['o1: no PaymentRequested on Kafka']);
  });

  it('explains an order that is not terminal by the dead letter naming its ids, or reports it', () => {
    const c = { ...healthy(), states: new Map([['o1', { status: 'payment_requested', shipmentId: null }]]) };
    expect(examine(c).unexplained).toHaveLength(1);
    const explained = examine({
      ...c,
      deadLetters: [
        { id: 'd1', eventType: 'payments.payment.requested', errorCode: 'X', text: '{"key":"p1"}' },
      ],
    });
    expect(explained.unexplained).toEqual([]);
    expect(explained.notTerminal[0]!.deadLetters).toEqual(['d1 (payments.payment.requested: X)']);
  });

  it('names the event types on Kafka about a stuck order, its payment and its shipment', () => {
    const c = { ...healthy(), states: new Map([['o1', { status: 'shipped', shipmentId: 's1' }]]) };
    expect(examine(c).notTerminal[0]!.onKafka).toEqual([
      'commerce.order.placed',
      'logistics.shipment.created',
      'logistics.shipment.requested',
      'payments.payment.requested',
      'payments.payment.succeeded',
    ]);
  });
});

describe('the fault plan', () => {
  const input = {
    seed: 42,
    flowMs: 100_000,
    instances: ['a', 'a.2'],
    killsPerInstance: 2,
    brokerRestarts: 1,
    postgresRestarts: 1,
  };
  it('is the same for the same seed, ordered in time, within 10 %..80 % of the flow', () => {
    const plan = planFaults(input);
    expect(planFaults(input)).toEqual(plan);
    expect(plan).toHaveLength(6);
    expect(plan.map((f) => f.atMs)).toEqual([...plan.map((f) => f.atMs)].sort((a, b) => a - b));
    expect(plan.every((f) => f.atMs >= 10_000 && f.atMs <= 80_000)).toBe(true);
    expect(planFaults({ ...input, seed: 43 })).not.toEqual(plan);
  });
});
