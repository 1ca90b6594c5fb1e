import { providerSimProcess, readerHarness } from '@tributary/connector-sdk/testing';
import type { ProviderSimProcess, ReaderHarness } from '@tributary/connector-sdk/testing';
import { v7 as uuidv7 } from 'uuid';
import { paymentsConnector } from '../payments.connector.js';
import type { StripeClient, StripePaymentIntent } from './stripe.client.js';

// The reader in the test process on the connector's own client and limits, against the simulator's Stripe
// as a process (its own store: the counts below are exact).
let sim: ProviderSimProcess;
let reads: ReaderHarness<StripeClient>;

/**
 * One page as the reconciler gets it: asked again from the same cursor while the client refuses it for the
 * rate limit (an earlier test's 429 leaves the client pacing for a moment); any other answer is returned.
 */
const readPatiently = async (ask: Parameters<ReaderHarness<unknown>['read']>[0]) =>
  (await reads.walk(ask, { patient: true, maxPages: 1 })).pages[0]!;

beforeAll(async () => {
  sim = await providerSimProcess();
  reads = readerHarness(paymentsConnector, {
    config: paymentsConnector.config.parse({ STRIPE_API_BASE: sim.url, STRIPE_API_KEY: 'sk_test_reader' }),
  });
}, 60_000);

afterAll(async () => {
  await reads?.close();
  await sim?.close();
});

afterEach(async () => {
  await sim.admin('/faults', { method: 'DELETE' });
  await sim.admin('/clock', { body: { offsetMs: 0 } });
});

type Outcome = 'succeeded' | 'failed' | 'pending';
const methods: Record<Outcome, Record<string, string>> = {
  succeeded: { confirm: 'true', payment_method: 'pm_card_visa' },
  failed: { confirm: 'true', payment_method: 'pm_card_chargeDeclined' },
  pending: {},
};

interface Seeded {
  readonly intent: StripePaymentIntent;
  readonly paymentId: string;
  readonly orderId: string;
  readonly outcome: Outcome;
}

/** A PaymentIntent made as the payments handler makes them (our ids in metadata), straight at the simulator. */
async function seed(outcome: Outcome, amount = 4200): Promise<Seeded> {
  const paymentId = uuidv7();
  const orderId = uuidv7();
  const response = await fetch(`${sim.url}/v1/payment_intents`, {
    method: 'POST',
    headers: { authorization: 'Bearer sk_test_seed', 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      amount: String(amount),
      currency: 'eur',
      'metadata[tributary_payment_id]': paymentId,
      'metadata[tributary_order_id]': orderId,
      ...methods[outcome],
    }),
  });
  const body = (await response.json()) as StripePaymentIntent & {
    error?: { payment_intent: StripePaymentIntent };
  };
  const intent = outcome === 'failed' ? body.error!.payment_intent : body;
  expect(intent.id).toMatch(/^pi_/);
  return { intent, paymentId, orderId, outcome };
}

/** Sets the simulator's clock so that it reads `at` (epoch ms) now. */
async function simTime(at: number): Promise<void> {
  await sim.admin('/clock', { body: { offsetMs: Math.round(at - Date.now()) } });
}

const expectedFields = ({ outcome, orderId }: Seeded, amount = 4200) => ({
  status: outcome,
  amountMinor: String(amount),
  currency: 'EUR',
  orderId,
});

describe('payment reader against the simulated Stripe', () => {
  const all: Seeded[] = [];

  beforeAll(async () => {
    const outcomes: Outcome[] = ['succeeded', 'failed', 'pending'];
    for (let i = 0; i < 230; i++) all.push(await seed(outcomes[i % outcomes.length]!));
  }, 120_000);

  it('walks every PaymentIntent exactly once, normalised to the owned fields, one call a page', async () => {
    const before = (await sim.admin<{ requests: number }>('/rate?provider=stripe')).requests;
    const { pages, records } = await reads.walk(
      { entity: 'payment', mode: 'FULL', pageSize: 100 },
      { patient: true },
    );

    expect(pages.map((page) => page.records.length)).toEqual([100, 100, 30]);
    expect(pages.map((page) => [page.complete, page.failureCode])).toEqual([
      [false, null],
      [false, null],
      [true, null],
    ]);
    expect(records).toHaveLength(all.length);
    expect(new Set(records.map((r) => r.externalId)).size).toBe(all.length);
    const byId = new Map(records.map((record) => [record.externalId, record]));
    for (const seeded of all) {
      const record = byId.get(seeded.intent.id);
      expect(record).toEqual({
        externalId: seeded.intent.id,
        internalId: seeded.paymentId,
        ownerUpdatedAt: expect.any(Number),
        deleted: false,
        fields: expectedFields(seeded),
      });
      expect(record!.ownerUpdatedAt).toBeGreaterThanOrEqual(seeded.intent.created! * 1000);
    }
    expect((await sim.admin<{ requests: number }>('/rate?provider=stripe')).requests - before).toBe(3);
  });

  it('answers a 429 mid-walk with a failed page, and the same cursor then continues without gap or duplicate', async () => {
    await sim.admin('/faults', {
      body: {
        route: 'GET /v1/payment_intents',
        status429Rate: 1,
        retryAfterSeconds: 1,
        times: 1,
        afterRequests: 1,
      },
    });
    const first = await readPatiently({ entity: 'payment', mode: 'FULL', pageSize: 100 });
    expect(first.failureCode).toBeNull();
    const refused = await reads.read({
      entity: 'payment',
      mode: 'FULL',
      pageSize: 100,
      cursor: first.nextCursor,
    });
    expect(refused).toMatchObject({
      records: [],
      complete: false,
      nextCursor: first.nextCursor,
      failureCode: 'PROVIDER_RATE_LIMITED',
    });
    // The reconciler asks again from the cursor it holds; until the client's pacing lets a low-priority call
    // through, the answer is another failed page without a call to Stripe.
    const second = await readPatiently({
      entity: 'payment',
      mode: 'FULL',
      pageSize: 100,
      cursor: first.nextCursor,
    });
    expect(second.failureCode).toBeNull();
    const rest = await reads.walk(
      { entity: 'payment', mode: 'FULL', pageSize: 100, cursor: second.nextCursor },
      { patient: true },
    );
    const ids = [first, second, ...rest.pages].flatMap((page) => page.records.map((r) => r.externalId));
    expect(ids).toHaveLength(all.length);
    expect(new Set(ids)).toEqual(new Set(all.map((s) => s.intent.id)));
  });

  it('answers a truncated list as a failed page (a low-priority call is not retried), read whole when asked again', async () => {
    await sim.admin('/faults', { body: { route: 'GET /v1/payment_intents', truncate: true, times: 1 } });
    const page = await readPatiently({ entity: 'payment', mode: 'FULL', pageSize: 100 });
    expect(page).toMatchObject({ records: [], complete: false, nextCursor: null });
    expect(page.failureCode).toBe('PROVIDER_UNAVAILABLE');
    await sim.admin('/faults', { method: 'DELETE' });
    const again = await readPatiently({ entity: 'payment', mode: 'FULL', pageSize: 100 });
    expect(again.records).toHaveLength(100);
  });

  it('reads an incremental window from the events: exactly what changed in it, bounds inclusive, each intent once', async () => {
    // Whole seconds an hour ago, so nothing the other tests made falls into them.
    const base = (Math.floor(Date.now() / 1000) - 3_600) * 1000;
    const at = async (second: number, outcome: Outcome) => {
      await simTime(base + second * 1000 + 100);
      return seed(outcome, 1000 + second);
    };
    const before = await at(0, 'succeeded');
    const first = await at(10, 'succeeded');
    // Two in the same second as the first: the window's lower bound is that second.
    const second = await at(10, 'failed');
    const third = await at(10, 'pending');
    const last = await at(20, 'succeeded');
    const after = await at(21, 'succeeded');
    // Made before the window and canceled in its Stripe dashboard within it.
    const canceled = await at(0, 'pending');
    await simTime(base + 15_000 + 100);
    await sim.admin('/drift', {
      body: { provider: 'stripe', kind: 'set-status', id: canceled.intent.id, status: 'canceled' },
    });
    await sim.admin('/clock', { body: { offsetMs: 0 } });

    // Three events a page: the newest event of an intent and an older one fall on different pages.
    const { pages, records } = await reads.walk(
      {
        entity: 'payment',
        mode: 'INCREMENTAL',
        changedFrom: base + 10_000,
        changedTo: base + 20_000,
        pageSize: 3,
      },
      { patient: true },
    );
    expect(pages.every((page) => page.failureCode === null)).toBe(true);
    const expected = [last, canceled, third, second, first];
    expect(records.map((r) => r.externalId)).toEqual(expected.map((s) => s.intent.id));
    expect(records[1]).toEqual({
      externalId: canceled.intent.id,
      internalId: canceled.paymentId,
      ownerUpdatedAt: base + 15_000,
      deleted: false,
      fields: { ...expectedFields(canceled, 1000), status: 'canceled' },
    });
    for (const [i, seeded] of expected.entries()) {
      if (seeded === canceled) continue;
      const offset = seeded === last ? 20 : 10;
      expect(records[i]).toEqual({
        externalId: seeded.intent.id,
        internalId: seeded.paymentId,
        ownerUpdatedAt: base + offset * 1000,
        deleted: false,
        // The state after the newest event: succeeded, not the creation's pending.
        fields: expectedFields(seeded, 1000 + offset),
      });
    }
    expect(records.map((r) => r.externalId)).not.toContain(before.intent.id);
    expect(records.map((r) => r.externalId)).not.toContain(after.intent.id);
  });

  it('reads the intents of our ids through external_refs, leaving out what neither knows', async () => {
    const [a, b] = [all[0]!, all[1]!];
    const byIds = readerHarness(paymentsConnector, {
      config: paymentsConnector.config.parse({ STRIPE_API_BASE: sim.url, STRIPE_API_KEY: 'sk_test_reader' }),
      externalRefs: [
        { externalType: 'payment_intent', externalId: a.intent.id, internalId: a.paymentId },
        { externalType: 'payment_intent', externalId: b.intent.id, internalId: b.paymentId },
        { externalType: 'payment_intent', externalId: 'pi_gone', internalId: 'gone' },
      ],
    });
    try {
      const page = await byIds.read({
        entity: 'payment',
        mode: 'IDS',
        ids: [a.paymentId, 'unknown', 'gone', b.paymentId],
      });
      expect(page).toMatchObject({ complete: true, nextCursor: null, failureCode: null });
      expect(page.records.map((r) => [r.externalId, r.internalId, r.fields])).toEqual([
        [a.intent.id, a.paymentId, expectedFields(a)],
        [b.intent.id, b.paymentId, expectedFields(b)],
      ]);
    } finally {
      await byIds.close();
    }
  });
});
