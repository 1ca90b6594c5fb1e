import { waitFor } from '@tributary/testkit';
import { admin, bearer, startReceiver } from '../../test/support.js';
import type { WebhookReceiver } from '../../test/support.js';
import type { WebhookAttempt } from '../core/webhooks.js';
import { startProviderSim } from '../server.js';
import type { ProviderSim } from '../server.js';

interface Intent {
  id: string;
  status: string;
  canceled_at: number | null;
  amount_received: number;
  latest_charge: string | null;
}
interface Event {
  id: string;
  type: string;
  data: { object: Intent; previous_attributes?: Record<string, unknown> };
  request: { id: string | null; idempotency_key: string | null };
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

async function intent(body = 'amount=900&currency=eur'): Promise<Intent> {
  const response = await fetch(`${sim.url}/v1/payment_intents`, { method: 'POST', headers: bearer, body });
  const json = (await response.json()) as Intent | { error: { payment_intent: Intent } };
  return 'error' in json ? json.error.payment_intent : json;
}

const drift = (body: Record<string, unknown>) =>
  admin<Intent>(sim.url, '/drift', { provider: 'stripe', ...body });

async function events(): Promise<Event[]> {
  const response = await fetch(`${sim.url}/v1/events?limit=100`, { headers: bearer });
  return ((await response.json()) as { data: Event[] }).data;
}

const webhookTypes = () => receiver.received.map((delivery) => delivery.json.type as string);

describe('provider-sim, Stripe drift', () => {
  it('sets a status out of band with its event and webhook, the intent answered as changed', async () => {
    const created = await intent();
    const canceled = await drift({ kind: 'set-status', id: created.id, status: 'canceled', event: true });
    expect(canceled).toMatchObject({ id: created.id, status: 'canceled', canceled_at: expect.any(Number) });
    const [latest] = await events();
    expect(latest).toMatchObject({
      type: 'payment_intent.canceled',
      data: {
        object: { id: created.id, status: 'canceled' },
        previous_attributes: { status: 'requires_payment_method' },
      },
      request: { id: null, idempotency_key: null },
    });
    await waitFor(() => receiver.received.length === 1, { timeoutMs: 5_000 });
    expect(receiver.received[0]!.json.id).toBe(latest!.id);
    const got = await fetch(`${sim.url}/v1/payment_intents/${created.id}`, { headers: bearer });
    expect(await got.json()).toMatchObject({ status: 'canceled' });
  });

  it('changes the intent without any event or webhook when Stripe never generated one', async () => {
    const declined = await intent(
      'amount=900&currency=eur&confirm=true&payment_method=pm_card_chargeDeclined',
    );
    await waitFor(() => receiver.received.length === 1, { timeoutMs: 5_000 });
    const before = await events();
    const paid = await drift({ kind: 'set-status', id: declined.id, status: 'succeeded', event: false });
    expect(paid).toMatchObject({ status: 'succeeded', amount_received: 900 });
    expect(paid.latest_charge).not.toBe(declined.latest_charge);
    expect((await events()).map((event) => event.id)).toEqual(before.map((event) => event.id));
    // A later change that does send is the barrier: had the silent one sent anything, it would come first.
    await drift({ kind: 'set-status', id: declined.id, status: 'canceled', event: true });
    await waitFor(() => receiver.received.length === 2, { timeoutMs: 5_000 });
    expect(webhookTypes()).toEqual(['payment_intent.payment_failed', 'payment_intent.canceled']);
  });

  it('keeps the event when the delivery controls drop its webhook', async () => {
    const created = await intent();
    await admin(sim.url, '/webhooks/delivery', { provider: 'stripe', dropNext: 1 });
    await drift({ kind: 'set-status', id: created.id, status: 'processing' });
    const attempts = await waitFor(
      async () => {
        const list = await admin<WebhookAttempt[]>(sim.url, '/webhooks');
        return list.length === 1 ? list : undefined;
      },
      { timeoutMs: 5_000 },
    );
    expect(attempts[0]).toMatchObject({
      type: 'payment_intent.processing',
      detail: created.id,
      status: 'dropped',
    });
    expect((await events())[0]).toMatchObject({ type: 'payment_intent.processing' });
  });

  it('refuses an unknown intent, an unknown status, and an event Stripe has no type for', async () => {
    const created = await intent();
    await expect(drift({ kind: 'set-status', id: 'pi_missing', status: 'canceled' })).rejects.toThrow(/404/);
    await expect(drift({ kind: 'set-status', id: created.id, status: 'lost' })).rejects.toThrow(/400/);
    await expect(
      drift({ kind: 'set-status', id: created.id, status: 'requires_confirmation', event: true }),
    ).rejects.toThrow(/400/);
    expect(
      await drift({ kind: 'set-status', id: created.id, status: 'requires_confirmation', event: false }),
    ).toMatchObject({
      status: 'requires_confirmation',
    });
    await expect(drift({ kind: 'teleport', id: created.id })).rejects.toThrow(/400/);
  });
});
