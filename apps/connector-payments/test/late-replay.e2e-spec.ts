import { idempotencyKeyFor } from '@tributary/connector-sdk';
import { waitFor } from '@tributary/connector-sdk/testing';
import type { ConnectorProcessHarness } from '@tributary/connector-sdk/testing';
import type { EventOf } from '@tributary/contracts';
import { v7 as uuidv7 } from 'uuid';
import { paymentsHarness } from './support.js';

/**
 * Stripe forgets an idempotency key after 24 hours (docs/architecture.md#idempotency-keys). A payment whose
 * first call made the PaymentIntent but whose answer never came back (the connector was SIGKILLed while the
 * simulator held the answer) is dead-lettered by the next delivery (a replica deployed with a wrong
 * STRIPE_API_BASE: a 404, not retriable). A week later someone replays it. The simulator's clock is moved a
 * week, so the key is gone there too, and the replay carries the dead letter's first-failure time a week
 * back (`kafka_original-timestamp`, what a real week-old dead letter carries). Without the lookup the
 * replay's create would be a second charge; with it, the connector finds the first PaymentIntent by our
 * paymentId and publishes its outcome.
 */
const WEEK_MS = 7 * 86_400_000;
const CREATE = 'POST /v1/payment_intents';
const SEARCH = 'GET /v1/payment_intents/search';

describe('connector-payments: a dead letter replayed a week later pays once', () => {
  let harness: ConnectorProcessHarness;
  const admin = async (path: string, init?: RequestInit) => {
    const response = await fetch(`${harness.simUrl}/__admin${path}`, init);
    expect(response.ok).toBe(true);
    return response.json() as Promise<unknown>;
  };

  beforeAll(async () => {
    harness = await paymentsHarness();
  }, 180_000);

  afterAll(async () => {
    await harness?.close();
  }, 60_000);

  it('finds the first PaymentIntent by its metadata instead of creating a second one', async () => {
    const eventId = uuidv7();
    const paymentId = uuidv7();
    const key = idempotencyKeyFor('payments', eventId);
    const succeeded = await harness.topicEvents('payments.payment.v1');
    const entry = async () =>
      (await harness.sim.ledger()).find((e) => e.idempotencyKey === key && e.route === CREATE);

    // The first call makes the PaymentIntent and the simulator holds its answer: the connector dies waiting.
    await harness.sim.setFault({ idempotencyKey: key, afterEffectDelayMs: 600_000 });
    await harness.trigger({ eventId, subject: paymentId });
    await waitFor(async () => (await entry())?.effects === 1, { timeoutMs: 60_000, message: 'first effect' });
    await harness.app.kill('SIGKILL');
    await harness.sim.clearFaults();

    // The next delivery goes to a replica pointed at a wrong path: Stripe's 404 is not retriable, DLQ.
    const misrouted = await harness.startReplica({ STRIPE_API_BASE: `${harness.simUrl}/misrouted` });
    await waitFor(() => harness.inDlq(paymentId), {
      timeoutMs: 90_000,
      message: `payment ${paymentId} dead-lettered by the misrouted replica`,
    });
    expect(await misrouted.kill('SIGTERM')).toEqual({ code: 0 });
    const before = await entry();
    expect(before).toMatchObject({ effects: 1 });
    expect(await harness.processed(eventId)).toBe(false);

    // A week passes: the simulator forgets the key, and the dead letter is replayed as it was stored.
    await harness.sim.clearFaults();
    await admin('/clock', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ offsetMs: WEEK_MS }),
    });
    await admin(`/requests`, { method: 'DELETE' });
    await harness.app.start();
    await harness.replayDeadLetter(paymentId, {
      headers: { 'kafka_original-timestamp': String(Date.now() - WEEK_MS) },
    });
    await waitFor(() => harness.processed(eventId), {
      timeoutMs: 60_000,
      message: `replayed payment ${paymentId} committed`,
    });

    // One PaymentIntent for the payment, the first one; no create after the replay, one search.
    const [after] = (await harness.sim.ledger()).filter(
      (e) => e.idempotencyKey === key && e.route === CREATE,
    );
    expect(after).toMatchObject({ effects: 1, requests: before!.requests, objectId: before!.objectId });
    const requests = (await admin('/requests')) as { route: string }[];
    expect(requests.map((r) => r.route)).toEqual([SEARCH]);
    const query = new URLSearchParams({ query: `metadata['tributary_payment_id']:'${paymentId}'` });
    const search = await fetch(`${harness.simUrl}/v1/payment_intents/search?${query}`, {
      headers: { authorization: 'Bearer sk_test_conformance' },
    });
    const found = (await search.json()) as { data: { id: string; status: string }[] };
    expect(found.data).toEqual([expect.objectContaining({ id: before!.objectId, status: 'succeeded' })]);

    // Its outcome published once, naming that PaymentIntent.
    await waitFor(() => succeeded.some((e) => e.causationId === eventId), {
      timeoutMs: 30_000,
      message: 'PaymentSucceeded on Kafka',
    });
    const outcomes = succeeded.filter((e) => e.causationId === eventId);
    expect(outcomes.map((e) => e.type)).toEqual(['payments.payment.succeeded']);
    const outcome = outcomes[0] as EventOf<'payments.payment.succeeded'>;
    expect(outcome.data).toMatchObject({ paymentId, providerPaymentId: before!.objectId });
    expect(await harness.outcomes(eventId)).toBe(1);
  }, 240_000);
});
