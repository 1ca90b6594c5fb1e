import { admin, bearer } from '../../test/support.js';
import { startProviderSim } from '../server.js';
import type { ProviderSim } from '../server.js';

const LIST = 'GET /v1/payment_intents';

interface Intent {
  id: string;
  created: number;
  status: string;
  latest_charge: string | { id: string; object: string; created: number; status: string } | null;
}
interface List {
  object: string;
  url: string;
  has_more: boolean;
  data: Intent[];
}

let sim: ProviderSim;
beforeEach(async () => {
  sim = await startProviderSim();
});
afterEach(() => sim.close());

async function create(body = 'amount=100&currency=eur&confirm=true'): Promise<Intent> {
  const response = await fetch(`${sim.url}/v1/payment_intents`, { method: 'POST', headers: bearer, body });
  return (await response.json()) as Intent;
}

/** `count` intents in groups sharing one `created` second, one second apart, so ties are exercised. */
async function createSpread(count: number, perSecond = 4): Promise<Intent[]> {
  const made: Intent[] = [];
  for (let i = 0; i < count; i++) {
    if (i % perSecond === 0) await admin(sim.url, '/clock', { offsetMs: -((count - i) * 1000) });
    made.push(await create());
  }
  await admin(sim.url, '/clock', { offsetMs: 0 });
  return made;
}

function list(query: string) {
  return fetch(`${sim.url}/v1/payment_intents?${query}`, { headers: bearer });
}

async function page(query: string): Promise<List> {
  const response = await list(query);
  expect(response.status).toBe(200);
  return (await response.json()) as List;
}

/** Stripe's order: newest first, ties broken by id. */
const newestFirst = (a: Intent, b: Intent) => b.created - a.created || (a.id < b.id ? 1 : -1);

async function walk(limit: number, between?: () => Promise<unknown>): Promise<Intent[]> {
  const seen: Intent[] = [];
  let after: string | undefined;
  for (;;) {
    const body = await page(`limit=${limit}${after ? `&starting_after=${after}` : ''}`);
    seen.push(...body.data);
    if (!body.has_more) return seen;
    after = body.data[body.data.length - 1]!.id;
    await between?.();
  }
}

describe('provider-sim, Stripe PaymentIntents list', () => {
  it('walks every intent exactly once, newest first with ties broken by id, in Stripe’s list envelope', async () => {
    const made = await createSpread(23);
    const first = await page('limit=5');
    expect(first).toMatchObject({ object: 'list', url: '/v1/payment_intents', has_more: true });
    const seen = await walk(5);
    expect(seen.map((intent) => intent.id)).toEqual([...made].sort(newestFirst).map((intent) => intent.id));
    expect(new Set(seen.map((intent) => intent.id)).size).toBe(23);
  });

  it('still gives every older intent exactly once when intents are created between pages', async () => {
    const before = await createSpread(12);
    const during: Intent[] = [];
    const seen = await walk(4, async () => {
      during.push(await create(), await create());
    });
    const ids = seen.map((intent) => intent.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => before.some((intent) => intent.id === id))).toEqual(
      [...before].sort(newestFirst).map((intent) => intent.id),
    );
    // Newer intents sit before the cursor: a walk with starting_after never reaches them.
    expect(ids.some((id) => during.some((intent) => intent.id === id))).toBe(false);
  });

  it('walks towards the present with ending_before, each page the one nearest the cursor', async () => {
    const made = [...(await createSpread(9, 3))].sort(newestFirst);
    const oldest = made[made.length - 1]!;
    const nearest = await page(`limit=3&ending_before=${oldest.id}`);
    expect(nearest.data.map((intent) => intent.id)).toEqual(made.slice(5, 8).map((intent) => intent.id));
    expect(nearest.has_more).toBe(true);
    const seen: string[] = [];
    let before = oldest.id;
    for (;;) {
      const body = await page(`limit=3&ending_before=${before}`);
      seen.unshift(...body.data.map((intent) => intent.id));
      if (!body.has_more) break;
      before = body.data[0]!.id;
    }
    expect(seen).toEqual(made.slice(0, 8).map((intent) => intent.id));
  });

  it('filters by created, bounds inclusive or strict as named', async () => {
    const made = [...(await createSpread(8, 2))].sort(newestFirst);
    const seconds = [...new Set(made.map((intent) => intent.created))].sort();
    const [, second, third] = seconds as [number, number, number];
    const within = (min: number, max: number) =>
      made.filter((intent) => intent.created >= min && intent.created <= max).map((intent) => intent.id);
    const ids = (body: List) => body.data.map((intent) => intent.id);
    expect(ids(await page(`limit=100&created[gte]=${second}&created[lt]=${third + 1}`))).toEqual(
      within(second, third),
    );
    expect(ids(await page(`limit=100&created[gt]=${second}&created[lte]=${third}`))).toEqual(
      within(second + 1, third),
    );
    expect(ids(await page(`limit=100&created=${second}`))).toEqual(within(second, second));
  });

  it('pages by 10 by default and refuses what Stripe refuses', async () => {
    await createSpread(12);
    expect((await page('')).data).toHaveLength(10);
    expect((await page('limit=100')).data).toHaveLength(12);
    const refusals: [string, Record<string, unknown>][] = [
      ['limit=101', { type: 'invalid_request_error', param: 'limit' }],
      ['limit=0', { type: 'invalid_request_error', param: 'limit' }],
      ['limit=ten', { param: 'limit', code: 'parameter_invalid_integer' }],
      ['starting_after=pi_missing', { code: 'resource_missing', param: 'starting_after' }],
      ['ending_before=pi_missing', { code: 'resource_missing', param: 'ending_before' }],
      ['starting_after=a&ending_before=b', { type: 'invalid_request_error' }],
      ['created[gte]=yesterday', { param: 'created[gte]' }],
      ['customer_email=x', { message: 'Received unknown parameter: customer_email' }],
      ['expand[]=latest_charge', { message: 'This property cannot be expanded (latest_charge).' }],
    ];
    for (const [query, error] of refusals) {
      const response = await list(query);
      expect([query, response.status]).toEqual([query, 400]);
      expect(await response.json()).toMatchObject({ error });
    }
  });

  it('renders latest_charge as an id, or as the charge with its own created when expanded', async () => {
    const paid = await create();
    const declined = await create(
      'amount=100&currency=eur&confirm=true&payment_method=pm_card_chargeDeclined',
    );
    expect(typeof paid.latest_charge).toBe('string');
    const listed = await page('expand[]=data.latest_charge');
    const charges = listed.data.map(
      (intent) => intent.latest_charge as Exclude<Intent['latest_charge'], string>,
    );
    expect(charges.map((charge) => [charge?.object, charge?.status])).toEqual([
      ['charge', 'failed'],
      ['charge', 'succeeded'],
    ]);
    expect(charges[1]).toMatchObject({ id: paid.latest_charge, created: expect.any(Number) });
    const got = await fetch(`${sim.url}/v1/payment_intents/${paid.id}?expand[]=latest_charge`, {
      headers: bearer,
    });
    expect(await got.json()).toMatchObject({
      id: paid.id,
      latest_charge: { id: paid.latest_charge, status: 'succeeded' },
    });
    expect(declined).toMatchObject({ error: { type: 'card_error' } });
    const unexpanded = await page('');
    expect(unexpanded.data.every((intent) => typeof intent.latest_charge === 'string')).toBe(true);
  });

  it('carries the fields a reader compares', async () => {
    await create('amount=250&currency=EUR&confirm=true&metadata[tributary_payment_id]=p-1');
    const [intent] = (await page('')).data as unknown as Record<string, unknown>[];
    expect(intent).toMatchObject({
      object: 'payment_intent',
      amount: 250,
      amount_received: 250,
      currency: 'eur',
      status: 'succeeded',
      canceled_at: null,
      metadata: { tributary_payment_id: 'p-1' },
      created: expect.any(Number),
    });
  });

  it('answers a 429 in the middle of a walk with afterRequests; the walk resumes from its cursor', async () => {
    const made = await createSpread(10);
    await admin(sim.url, '/faults', {
      route: LIST,
      status429Rate: 1,
      retryAfterSeconds: 1,
      afterRequests: 2,
      times: 1,
    });
    const seen: Intent[] = [];
    const statuses: number[] = [];
    let after: string | undefined;
    for (;;) {
      const response = await list(`limit=3${after ? `&starting_after=${after}` : ''}`);
      statuses.push(response.status);
      if (response.status === 429) {
        expect(response.headers.get('retry-after')).toBe('1');
        expect(await response.json()).toMatchObject({ error: { type: 'rate_limit_error' } });
        continue;
      }
      const body = (await response.json()) as List;
      seen.push(...body.data);
      if (!body.has_more) break;
      after = body.data[body.data.length - 1]!.id;
    }
    expect(statuses).toEqual([200, 200, 429, 200, 200]);
    expect(seen.map((intent) => intent.id)).toEqual([...made].sort(newestFirst).map((intent) => intent.id));
  });

  it('truncates one page of a walk: the status says 200, the body cannot be read', async () => {
    await createSpread(6);
    await admin(sim.url, '/faults', { route: LIST, truncate: true, afterRequests: 1, times: 1 });
    const first = await page('limit=3');
    const cut = await list(`limit=3&starting_after=${first.data[2]!.id}`);
    expect(cut.status).toBe(200);
    await expect(cut.json()).rejects.toThrow();
    expect((await page(`limit=3&starting_after=${first.data[2]!.id}`)).data).toHaveLength(3);
  });
});
