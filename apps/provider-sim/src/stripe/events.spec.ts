import { waitFor } from '@tributary/testkit';
import { admin, bearer, startReceiver } from '../../test/support.js';
import type { WebhookReceiver } from '../../test/support.js';
import type { WebhookAttempt } from '../core/webhooks.js';
import { startProviderSim } from '../server.js';
import type { ProviderSim } from '../server.js';

const DAY_MS = 86_400_000;

interface Intent {
  id: string;
  status: string;
  amount_received: number;
}
interface Event {
  id: string;
  object: string;
  type: string;
  created: number;
  data: { object: Intent; previous_attributes?: Record<string, unknown> };
  request: { id: string | null; idempotency_key: string | null };
}
interface EventList {
  url: string;
  has_more: boolean;
  data: Event[];
}

let receiver: WebhookReceiver;
let sim: ProviderSim;
beforeEach(async () => {
  receiver = await startReceiver();
  sim = await startProviderSim({
    stripeWebhook: { url: receiver.url, secret: 'whsec_provider_sim_test_secret' },
    webhookRetry: { maxAttempts: 1, baseDelayMs: 10 },
  });
});
afterEach(async () => {
  await sim.close();
  await receiver.close();
});

async function pay(key: string, method?: string): Promise<Intent> {
  const response = await fetch(`${sim.url}/v1/payment_intents`, {
    method: 'POST',
    headers: { ...bearer, 'idempotency-key': key },
    body: `amount=500&currency=eur&confirm=true${method ? `&payment_method=${method}` : ''}`,
  });
  const body = (await response.json()) as Intent | { error: { payment_intent: Intent } };
  return 'error' in body ? body.error.payment_intent : body;
}

async function events(query = ''): Promise<EventList> {
  const response = await fetch(`${sim.url}/v1/events?${query}`, { headers: bearer });
  expect(response.status).toBe(200);
  return (await response.json()) as EventList;
}

describe('provider-sim, Stripe events', () => {
  it('records an event for every change of an intent, with the intent as it was after that change', async () => {
    const paid = await pay('k-paid');
    const declined = await pay('k-declined', 'pm_card_chargeDeclined');
    const listed = await events();
    expect(listed.url).toBe('/v1/events');
    expect(listed.data.map((event) => [event.type, event.data.object.id])).toEqual([
      ['payment_intent.payment_failed', declined.id],
      ['payment_intent.created', declined.id],
      ['payment_intent.succeeded', paid.id],
      ['payment_intent.created', paid.id],
    ]);
    const [failed, , succeeded, created] = listed.data as [Event, Event, Event, Event];
    expect(created.data.object).toMatchObject({ status: 'requires_payment_method', amount_received: 0 });
    expect(succeeded.data.object).toMatchObject({ status: 'succeeded', amount_received: 500 });
    expect(succeeded.data.previous_attributes).toMatchObject({ status: 'requires_payment_method' });
    expect(succeeded.request).toEqual({ id: null, idempotency_key: 'k-paid' });
    expect(failed.data.object).toMatchObject({ status: 'requires_payment_method' });
    expect(failed.data.object).toHaveProperty('last_payment_error.code', 'card_declined');

    const one = await fetch(`${sim.url}/v1/events/${succeeded.id}`, { headers: bearer });
    expect(await one.json()).toEqual(succeeded);
  });

  it('filters by type, by types[] and by a wildcard, and refuses type with types', async () => {
    await pay('k1');
    await pay('k2', 'pm_card_chargeDeclined');
    const types = (body: EventList) => body.data.map((event) => event.type);
    expect(types(await events('type=payment_intent.succeeded'))).toEqual(['payment_intent.succeeded']);
    expect(
      types(await events('types[]=payment_intent.succeeded&types[]=payment_intent.payment_failed')),
    ).toEqual(['payment_intent.payment_failed', 'payment_intent.succeeded']);
    expect(types(await events('type=payment_intent.*'))).toHaveLength(4);
    expect(types(await events('type=charge.*'))).toEqual([]);
    const both = await fetch(`${sim.url}/v1/events?type=a&types[]=b`, { headers: bearer });
    expect(both.status).toBe(400);
    expect(await both.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
  });

  it('pages through every event exactly once, also with a type filter and a created window', async () => {
    for (let i = 0; i < 7; i++) {
      await admin(sim.url, '/clock', { offsetMs: -(7 - i) * 10_000 });
      await pay(`k-${i}`);
    }
    await admin(sim.url, '/clock', { offsetMs: 0 });
    const all = (await events('limit=100')).data;
    expect(all).toHaveLength(14);
    const walk = async (filter: string) => {
      const seen: string[] = [];
      let after = '';
      for (;;) {
        const body = await events(`limit=3${filter}${after ? `&starting_after=${after}` : ''}`);
        seen.push(...body.data.map((event) => event.id));
        if (!body.has_more) return seen;
        after = body.data[body.data.length - 1]!.id;
      }
    };
    expect(await walk('')).toEqual(all.map((event) => event.id));
    const succeeded = all.filter((event) => event.type === 'payment_intent.succeeded');
    expect(await walk('&type=payment_intent.succeeded')).toEqual(succeeded.map((event) => event.id));
    const from = succeeded[4]!.created;
    const to = succeeded[1]!.created;
    expect(await walk(`&type=payment_intent.succeeded&created[gte]=${from}&created[lte]=${to}`)).toEqual(
      succeeded.slice(1, 5).map((event) => event.id),
    );
  });

  it('keeps events 30 days: older ones are neither listed nor retrieved, nor usable as a cursor', async () => {
    await pay('k-old');
    const [newest] = (await events()).data as [Event];
    await admin(sim.url, '/clock', { offsetMs: 29 * DAY_MS });
    expect((await events()).data).toHaveLength(2);
    await admin(sim.url, '/clock', { offsetMs: 31 * DAY_MS });
    await pay('k-new');
    expect((await events()).data.map((event) => event.request.idempotency_key)).toEqual(['k-new', 'k-new']);
    const retrieved = await fetch(`${sim.url}/v1/events/${newest.id}`, { headers: bearer });
    expect(retrieved.status).toBe(404);
    expect(await retrieved.json()).toMatchObject({ error: { code: 'resource_missing' } });
    const cursor = await fetch(`${sim.url}/v1/events?starting_after=${newest.id}`, { headers: bearer });
    expect(cursor.status).toBe(400);
    expect(await cursor.json()).toMatchObject({
      error: { code: 'resource_missing', param: 'starting_after' },
    });
  });

  it('keeps the event of a dropped webhook, and sends no webhook for types the endpoint is not subscribed to', async () => {
    await admin(sim.url, '/webhooks/delivery', { provider: 'stripe', dropNext: 1 });
    const dropped = await pay('k-dropped');
    const delivered = await pay('k-delivered');
    await waitFor(() => receiver.received.length === 1, { timeoutMs: 5_000 });
    const attempts = await admin<WebhookAttempt[]>(sim.url, '/webhooks');
    expect(attempts.map((attempt) => [attempt.type, attempt.detail, attempt.status])).toEqual([
      ['payment_intent.succeeded', dropped.id, 'dropped'],
      ['payment_intent.succeeded', delivered.id, 200],
    ]);
    const listed = await events('type=payment_intent.succeeded');
    expect(listed.data.map((event) => event.data.object.id)).toEqual([delivered.id, dropped.id]);
    expect(receiver.received[0]!.json.id).toBe(listed.data[0]!.id);
  });
});
