import { waitFor } from '@tributary/testkit';
import { createVerifier, hubspotWebhook, stripeWebhook } from '@tributary/webhooks';
import { admin, bearer, startReceiver } from '../../test/support.js';
import type { WebhookReceiver } from '../../test/support.js';
import { startProviderSim } from '../server.js';
import type { ProviderSim } from '../server.js';
import type { LedgerSnapshot } from './ledger.js';
import type { StoredShapeChange } from './shape-changes.js';

const CREATE = 'POST /v1/payment_intents';
const stripeSecret = 'whsec_provider_sim_test_secret';
const hubspotSecret = 'hubspot-client-secret-for-tests';

interface Intent {
  id: string;
  amount: number | string;
  currency?: string;
  status: string;
}

let receiver: WebhookReceiver;
let sim: ProviderSim;
beforeEach(async () => {
  receiver = await startReceiver();
  sim = await startProviderSim({
    stripeWebhook: { url: receiver.url, secret: stripeSecret },
    hubspotWebhook: { url: receiver.url, secret: hubspotSecret },
    hubspotWebhookBatchMs: 10,
    webhookRetry: { maxAttempts: 1, baseDelayMs: 10 },
  });
});
afterEach(async () => {
  await sim.close();
  await receiver.close();
});

const pay = (key: string) =>
  fetch(`${sim.url}/v1/payment_intents`, {
    method: 'POST',
    headers: { ...bearer, 'idempotency-key': key },
    body: 'amount=1500&currency=eur&confirm=true',
  });

const adminRaw = (method: string, body: unknown) =>
  fetch(`${sim.url}/__admin/shape-changes`, { method, body: JSON.stringify(body) });

describe('provider-sim, shape changes of responses', () => {
  it("answers the next create with the changed body and status; the ledger, the stored intent and the key's replay stay as computed", async () => {
    const stored = await admin<StoredShapeChange>(sim.url, '/shape-changes', {
      provider: 'stripe',
      response: CREATE,
      drop: ['currency'],
      set: [
        { path: 'amount', value: '1500' },
        { path: 'status', value: 'requires_review' },
      ],
      status: 201,
      times: 1,
    });
    expect(stored).toMatchObject({ id: expect.any(String), remaining: 1, applied: 0, response: CREATE });

    const changed = await pay('shape-1');
    expect(changed.status).toBe(201);
    const sent = (await changed.json()) as Intent;
    expect(sent).toMatchObject({ amount: '1500', status: 'requires_review' });
    expect(sent).not.toHaveProperty('currency');

    const ledger = await admin<LedgerSnapshot>(sim.url, '/ledger');
    expect(ledger.entries).toEqual([
      expect.objectContaining({
        idempotencyKey: 'shape-1',
        route: CREATE,
        requests: 1,
        effects: 1,
        objectId: sent.id,
      }),
    ]);
    const read = await fetch(`${sim.url}/v1/payment_intents/${sent.id}`, { headers: bearer });
    expect(await read.json()).toMatchObject({
      id: sent.id,
      amount: 1500,
      currency: 'eur',
      status: 'succeeded',
    });

    // The change has expired: the replay of the key answers what the create computed.
    const replay = await pay('shape-1');
    expect(replay.status).toBe(200);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await replay.json()).toMatchObject({
      id: sent.id,
      amount: 1500,
      currency: 'eur',
      status: 'succeeded',
    });
    expect((await admin<LedgerSnapshot>(sim.url, '/ledger')).entries).toEqual([
      expect.objectContaining({ idempotencyKey: 'shape-1', requests: 2, effects: 1 }),
    ]);
    expect(await admin(sim.url, '/shape-changes')).toEqual([
      expect.objectContaining({ id: stored.id, remaining: 0, applied: 1 }),
    ]);
  });

  it('refuses malformed changes and unknown routes with ADMIN_INVALID_BODY; DELETE and reset clear them', async () => {
    const malformed = await adminRaw('POST', { provider: 'stripe', response: CREATE });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: { code: 'ADMIN_INVALID_BODY' } });
    const unknown = await adminRaw('POST', {
      provider: 'stripe',
      response: 'POST /v1/refunds',
      drop: ['id'],
    });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ error: { code: 'ADMIN_INVALID_BODY' } });

    await admin(sim.url, '/shape-changes', { provider: 'stripe', response: CREATE, drop: ['id'] });
    expect(await admin(sim.url, '/shape-changes', undefined, 'DELETE')).toEqual([]);
    expect(await (await pay('shape-2')).json()).toHaveProperty('id');

    await admin(sim.url, '/shape-changes', { provider: 'stripe', response: CREATE, drop: ['id'] });
    await admin(sim.url, '/reset', {});
    expect(await admin(sim.url, '/shape-changes')).toEqual([]);
    expect(await (await pay('shape-3')).json()).toHaveProperty('id');
  });
});

describe('provider-sim, shape changes of webhooks', () => {
  it('sends the next Stripe event changed and validly signed, then the event as stored', async () => {
    await admin(sim.url, '/shape-changes', {
      provider: 'stripe',
      webhook: 'payment_intent.succeeded',
      drop: ['data.object.currency'],
      set: [{ path: 'data.object.amount', value: '15.00' }],
      times: 1,
    });
    const first = (await (await pay('hook-1')).json()) as Intent;
    await waitFor(() => receiver.received.length === 1, { timeoutMs: 5_000, message: 'the changed event' });
    const second = (await (await pay('hook-2')).json()) as Intent;
    await waitFor(() => receiver.received.length === 2, { timeoutMs: 5_000, message: 'the unchanged event' });

    const verifier = createVerifier(stripeWebhook.scheme, [stripeSecret]);
    for (const { headers, body } of receiver.received)
      expect(() => verifier.verify({ method: 'POST', url: '/webhooks', headers, body })).not.toThrow();
    const [changed, unchanged] = receiver.received.map(
      (delivery) => delivery.json as unknown as { id: string; data: { object: Intent } },
    );
    expect(changed!.data.object).toMatchObject({ id: first.id, amount: '15.00' });
    expect(changed!.data.object).not.toHaveProperty('currency');
    expect(unchanged!.data.object).toMatchObject({ id: second.id, amount: 1500, currency: 'eur' });

    const event = await fetch(`${sim.url}/v1/events/${changed!.id}`, { headers: bearer });
    expect(await event.json()).toMatchObject({ data: { object: { amount: 1500, currency: 'eur' } } });
  });

  it('changes the matching elements of a HubSpot batch, which still verifies with signature v3', async () => {
    await admin(sim.url, '/shape-changes', {
      provider: 'hubspot',
      webhook: 'contact.creation',
      set: [{ path: 'objectId', value: 'not-a-number' }],
      times: 1,
    });
    const upsert = await fetch(`${sim.url}/crm/v3/objects/contacts/batch/upsert`, {
      method: 'POST',
      headers: { ...bearer, 'content-type': 'application/json' },
      body: JSON.stringify({
        inputs: ['c-ada', 'c-bob'].map((id) => ({
          idProperty: 'tributary_contact_id',
          id,
          properties: { lifecyclestage: 'lead' },
          objectWriteTraceId: `trace-${id}`,
        })),
      }),
    });
    expect(upsert.status).toBe(200);
    await waitFor(() => receiver.received.length === 1, { timeoutMs: 5_000, message: 'one batch' });

    const [delivery] = receiver.received;
    const verifier = createVerifier(hubspotWebhook.scheme, [hubspotSecret]);
    expect(() =>
      verifier.verify({
        method: 'POST',
        url: receiver.url,
        headers: delivery!.headers,
        body: delivery!.body,
      }),
    ).not.toThrow();
    const events = delivery!.json as unknown as { subscriptionType: string; objectId: unknown }[];
    expect(events.map((event) => typeof event.objectId)).toEqual(['string', 'number']);
    expect(await admin(sim.url, '/shape-changes')).toEqual([
      expect.objectContaining({ remaining: 0, applied: 1 }),
    ]);
  });
});
