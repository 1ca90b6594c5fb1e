import { waitFor } from '@tributary/testkit';
import { startProviderSim } from '../server.js';
import type { ProviderSim } from '../server.js';

const auth = { authorization: 'Bearer sk_test_sim' };
const HOUR = 3_600_000;
let sim: ProviderSim;
afterEach(() => sim.close());

async function createIntent(key: string, paymentId: string, amount = 1500) {
  const response = await fetch(`${sim.url}/v1/payment_intents`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded', 'idempotency-key': key },
    body: `amount=${amount}&currency=eur&confirm=true&metadata[tributary_payment_id]=${paymentId}`,
  });
  return { status: response.status, intent: (await response.json()) as { id: string; status: string } };
}

async function clock(offsetMs: number) {
  const response = await fetch(`${sim.url}/__admin/clock`, {
    method: 'POST',
    body: JSON.stringify({ offsetMs }),
  });
  expect(response.status).toBe(200);
}

async function search(params: Record<string, string>) {
  const response = await fetch(`${sim.url}/v1/payment_intents/search?${new URLSearchParams(params)}`, {
    headers: auth,
  });
  return {
    status: response.status,
    body: (await response.json()) as {
      object: string;
      has_more: boolean;
      next_page: string | null;
      data: { id: string }[];
      error?: { type: string; param?: string };
    },
  };
}

describe('provider-sim, Stripe idempotency keys expire on the simulator clock', () => {
  beforeEach(async () => {
    sim = await startProviderSim({ stripeSearchIndexDelayMs: 0 });
  });

  it('replays a key within 24 h and forgets it after, so the same key makes a second intent', async () => {
    const first = await createIntent('k-late', 'pay-1');
    await clock(24 * HOUR - 60_000);
    expect((await createIntent('k-late', 'pay-1')).intent.id).toBe(first.intent.id);
    await clock(7 * 24 * HOUR);
    const week = await createIntent('k-late', 'pay-1');
    expect(week.intent.id).not.toBe(first.intent.id);
    const entry = sim.ledger.snapshot().entries.find((e) => e.idempotencyKey === 'k-late');
    expect(entry).toMatchObject({ requests: 3, effects: 2 });
  });

  it('takes each provider its own lifetime', async () => {
    await sim.close();
    sim = await startProviderSim({ idempotencyKeyLifetimeMs: { stripe: HOUR } });
    const first = await createIntent('k-hour', 'pay-2');
    await clock(HOUR);
    expect((await createIntent('k-hour', 'pay-2')).intent.id).not.toBe(first.intent.id);
  });
});

describe('provider-sim, Stripe search of PaymentIntents', () => {
  it('finds intents by metadata, newest first, paged with next_page', async () => {
    sim = await startProviderSim({ stripeSearchIndexDelayMs: 0 });
    const a = await createIntent('a', 'pay-a');
    await clock(1_000);
    const b = await createIntent('b', 'pay-a', 2500);
    await createIntent('c', 'pay-c');

    const page1 = await search({ query: "metadata['tributary_payment_id']:'pay-a'", limit: '1' });
    expect(page1.status).toBe(200);
    expect(page1.body).toMatchObject({ object: 'search_result', has_more: true });
    expect(page1.body.data.map((i) => i.id)).toEqual([b.intent.id]);
    const page2 = await search({
      query: "metadata['tributary_payment_id']:'pay-a'",
      limit: '1',
      page: page1.body.next_page!,
    });
    expect(page2.body).toMatchObject({ has_more: false, next_page: null });
    expect(page2.body.data.map((i) => i.id)).toEqual([a.intent.id]);

    const both = await search({ query: "metadata['tributary_payment_id']:'pay-a' AND amount:2500" });
    expect(both.body.data.map((i) => i.id)).toEqual([b.intent.id]);
    const not = await search({ query: "-metadata['tributary_payment_id']:'pay-a' AND status:'succeeded'" });
    expect(not.body.data).toHaveLength(1);
  });

  it('is eventually consistent: a new intent shows only after the index delay', async () => {
    sim = await startProviderSim({ stripeSearchIndexDelayMs: 300 });
    const created = await createIntent('late-index', 'pay-x');
    const query = { query: "metadata['tributary_payment_id']:'pay-x'" };
    expect((await search(query)).body.data).toEqual([]);
    await waitFor(async () => (await search(query)).body.data.length === 1, { timeoutMs: 5_000 });
    expect((await search(query)).body.data.map((i) => i.id)).toEqual([created.intent.id]);
  });

  it('refuses what Stripe refuses: no query, mixed AND/OR, unquoted strings, unknown parameters', async () => {
    sim = await startProviderSim();
    const refused: Record<string, string>[] = [
      {},
      { query: "status:'succeeded' AND currency:'eur' OR amount:1" },
      { query: 'status:succeeded' },
      { query: "status:'succeeded'", starting_after: 'pi_1' },
      { query: "status:'succeeded'", limit: '101' },
    ];
    for (const params of refused) {
      const answer = await search(params);
      expect(answer.status).toBe(400);
      expect(answer.body.error?.type).toBe('invalid_request_error');
    }
  });
});
