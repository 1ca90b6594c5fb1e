import { createVerifier, easypostWebhook } from '@tributary/webhooks';
import { waitFor } from '@tributary/testkit';
import { admin, startReceiver } from '../../test/support.js';
import type { WebhookReceiver } from '../../test/support.js';
import { startProviderSim } from '../server.js';
import type { ProviderSim } from '../server.js';

const BUY = 'POST /v2/shipments/:id/buy';
const basic = { authorization: `Basic ${Buffer.from('EZTK_sim_key:').toString('base64')}` };

interface Shipment {
  id: string;
  status: string;
  rates: { id: string; carrier: string }[];
  selected_rate: { id: string } | null;
  tracking_code: string | null;
  tracker: { id: string; status: string; tracking_code: string } | null;
}

const address = (name: string) => ({
  name,
  street1: '1 Main St',
  street2: null,
  city: 'Springfield',
  state: 'IL',
  zip: '62701',
  country: 'US',
  phone: null,
  email: null,
});
const shipmentBody = (reference = 'order-1') => ({
  shipment: {
    reference,
    to_address: address('Ada'),
    from_address: address('Shop'),
    parcel: { weight: 12.5 },
  },
});

function post(
  sim: ProviderSim,
  path: string,
  body: unknown,
  key?: string,
  headers: Record<string, string> = basic,
) {
  return fetch(`${sim.url}${path}`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
    body: JSON.stringify(body),
  });
}

async function createShipment(sim: ProviderSim, key?: string): Promise<Shipment> {
  const response = await post(sim, '/v2/shipments', shipmentBody(), key);
  expect(response.status).toBe(201);
  return (await response.json()) as Shipment;
}

const buy = (sim: ProviderSim, shipment: Shipment, key?: string) =>
  post(sim, `/v2/shipments/${shipment.id}/buy`, { rate: { id: shipment.rates[0]!.id } }, key);

describe('provider-sim, EasyPost shipments', () => {
  let sim: ProviderSim;
  beforeEach(async () => {
    sim = await startProviderSim();
  });
  afterEach(() => sim.close());

  it('creates a shipment with rates once per Idempotency-Key and refuses the key with other parameters', async () => {
    const shipment = await createShipment(sim, 'create-1');
    expect(shipment).toMatchObject({
      id: expect.stringMatching(/^shp_/),
      status: 'unknown',
      selected_rate: null,
      tracking_code: null,
      tracker: null,
    });
    expect(shipment.rates.length).toBeGreaterThan(0);
    const replay = await post(sim, '/v2/shipments', shipmentBody(), 'create-1');
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await replay.json()).toEqual(shipment);
    const reused = await post(sim, '/v2/shipments', shipmentBody('order-2'), 'create-1');
    expect(reused.status).toBe(400);
    expect(await reused.json()).toMatchObject({ error: { code: 'IDEMPOTENCY.MISMATCH' } });
  });

  it('buys postage once: a replay gets the stored answer, another buy gets 422 POSTAGE.EXISTS', async () => {
    const shipment = await createShipment(sim);
    const bought = await buy(sim, shipment, 'buy-1');
    expect(bought.status).toBe(200);
    const body = (await bought.json()) as Shipment;
    expect(body).toMatchObject({
      selected_rate: { id: shipment.rates[0]!.id },
      tracking_code: expect.any(String),
      postage_label: { label_url: expect.any(String) },
      tracker: { id: expect.stringMatching(/^trk_/), object: 'Tracker', status: 'pre_transit' },
    });

    const replay = await buy(sim, shipment, 'buy-1');
    expect(replay.status).toBe(200);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await replay.json()).toEqual(body);

    const again = await buy(sim, shipment, 'buy-2');
    expect(again.status).toBe(422);
    expect(await again.json()).toMatchObject({ error: { code: 'SHIPMENT.POSTAGE.EXISTS', errors: [] } });

    const got = await fetch(`${sim.url}/v2/shipments/${shipment.id}`, { headers: basic });
    expect(await got.json()).toMatchObject({ tracking_code: body.tracking_code });
    expect(sim.ledger.snapshot().entries.filter((e) => e.route === BUY)).toEqual([
      { idempotencyKey: 'buy-1', route: BUY, requests: 2, effects: 1, objectId: shipment.id },
      { idempotencyKey: 'buy-2', route: BUY, requests: 1, effects: 0 },
    ]);
  });

  it('refuses requests without the API key as Basic user, unknown shipments and invalid bodies', async () => {
    const anonymous = await post(sim, '/v2/shipments', shipmentBody(), undefined, {});
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ error: { code: 'APIKEY.REQUIRED' } });
    const bearerOnly = await post(sim, '/v2/shipments', shipmentBody(), undefined, {
      authorization: 'Bearer x',
    });
    expect(bearerOnly.status).toBe(401);
    const missing = await fetch(`${sim.url}/v2/shipments/shp_nothing`, { headers: basic });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    const invalid = await post(sim, '/v2/shipments', { shipment: { reference: 'x' } });
    expect(invalid.status).toBe(422);
    expect(await invalid.json()).toMatchObject({ error: { code: 'PARAMETER.INVALID' } });
  });

  it('finds a shipment by its reference in place of the id, the latest one when several share it', async () => {
    await createShipment(sim);
    const latest = await createShipment(sim);
    const byReference = await fetch(`${sim.url}/v2/shipments/order-1`, { headers: basic });
    expect(byReference.status).toBe(200);
    expect(((await byReference.json()) as Shipment).id).toBe(latest.id);
    expect((await fetch(`${sim.url}/v2/shipments/order-unknown`, { headers: basic })).status).toBe(404);
  });

  it('faults the buy route by its pattern, "POST /v2/shipments/:id/buy"', async () => {
    const shipment = await createShipment(sim);
    await admin(sim.url, '/faults', { route: BUY, errorRate: 1, errorStatus: 502, times: 1 });
    const failed = await buy(sim, shipment, 'buy-f');
    expect(failed.status).toBe(502);
    expect(await failed.json()).toMatchObject({ error: { code: 'INTERNAL_SERVER_ERROR' } });
    expect((await buy(sim, shipment, 'buy-f')).status).toBe(200);
    expect(sim.ledger.snapshot().entries.find((e) => e.route === BUY)).toMatchObject({
      requests: 2,
      effects: 1,
    });
  });
});

describe('provider-sim, EasyPost tracker webhooks', () => {
  const secret = 'easypost_webhook_secret_for_tests';
  let receiver: WebhookReceiver;
  let sim: ProviderSim;
  beforeEach(async () => {
    receiver = await startReceiver();
    sim = await startProviderSim({
      easypostWebhook: { url: receiver.url, secret },
      easypostTrackingStepMs: 20,
      webhookRetry: { maxAttempts: 2, baseDelayMs: 10 },
    });
  });
  afterEach(async () => {
    await sim.close();
    await receiver.close();
  });

  const statuses = () =>
    receiver.received.map((delivery) => (delivery.json.result as { status: string }).status);

  it('sends in_transit, out_for_delivery, delivered for the bought shipment, signed with X-Hmac-Signature', async () => {
    const shipment = await createShipment(sim);
    const bought = (await (await buy(sim, shipment, 'buy-w')).json()) as Shipment;
    await waitFor(() => receiver.received.length === 3, { timeoutMs: 5_000 });
    expect(statuses()).toEqual(['in_transit', 'out_for_delivery', 'delivered']);
    const verifier = createVerifier(easypostWebhook.scheme, [secret]);
    for (const delivery of receiver.received) {
      expect(() =>
        verifier.verify({ method: 'POST', url: '/webhooks', headers: delivery.headers, body: delivery.body }),
      ).not.toThrow();
      expect(delivery.json).toMatchObject({
        id: expect.stringMatching(/^evt_/),
        object: 'Event',
        description: 'tracker.updated',
        mode: 'test',
        result: {
          id: bought.tracker!.id,
          object: 'Tracker',
          tracking_code: bought.tracking_code,
          shipment_id: shipment.id,
        },
      });
      // The envelope is one ingestion's EasyPost definition reads.
      const request = { method: 'POST', url: '/webhooks', headers: delivery.headers, body: delivery.body };
      expect(easypostWebhook.events(delivery.json, request)).toMatchObject([
        { dedupeKey: delivery.json.id, type: 'tracker.updated' },
      ]);
    }
    const delivered = receiver.received[2]!.json.result as { tracking_details: { status: string }[] };
    expect(delivered.tracking_details.map((detail) => detail.status)).toEqual([
      'pre_transit',
      'in_transit',
      'out_for_delivery',
      'delivered',
    ]);
    const got = (await (
      await fetch(`${sim.url}/v2/shipments/${shipment.id}`, { headers: basic })
    ).json()) as Shipment;
    expect(got.tracker!.status).toBe('delivered');
  });

  it("sends one object's events newest first when asked to reorder", async () => {
    await admin(sim.url, '/webhooks/delivery', { provider: 'easypost', reorder: true });
    const shipment = await createShipment(sim);
    await buy(sim, shipment);
    await waitFor(() => receiver.received.length === 3, { timeoutMs: 5_000 });
    expect(statuses()).toEqual(['delivered', 'out_for_delivery', 'in_transit']);
  });

  it("counts an object's webhooks as pending until the last one is delivered", async () => {
    // Held a second before delivery, so the series is certainly still pending when asked.
    await admin(sim.url, '/webhooks/delivery', { provider: 'easypost', delayMs: 1_000 });
    const shipment = await createShipment(sim);
    await buy(sim, shipment);
    expect(await admin<{ series: number }>(sim.url, '/webhooks/pending')).toEqual({ series: 1 });
    expect(receiver.received).toHaveLength(0);
    await waitFor(() => receiver.received.length === 3, { timeoutMs: 10_000 });
    await waitFor(async () => (await admin<{ series: number }>(sim.url, '/webhooks/pending')).series === 0, {
      timeoutMs: 5_000,
    });
  });

  it('sends every event n times when asked to duplicate, each recorded', async () => {
    await admin(sim.url, '/webhooks/delivery', { provider: 'easypost', duplicate: 2 });
    const shipment = await createShipment(sim);
    await buy(sim, shipment);
    await waitFor(() => receiver.received.length === 6, { timeoutMs: 5_000 });
    expect(statuses()).toEqual([
      'in_transit',
      'in_transit',
      'out_for_delivery',
      'out_for_delivery',
      'delivered',
      'delivered',
    ]);
    expect(new Set(receiver.received.map((delivery) => delivery.json.id)).size).toBe(3);
    const attempts = await admin<{ provider: string; copy: number; detail: string }[]>(sim.url, '/webhooks');
    expect(attempts).toHaveLength(6);
    expect(attempts.every((attempt) => attempt.provider === 'easypost')).toBe(true);
    expect(attempts.map((attempt) => attempt.copy)).toEqual([1, 2, 1, 2, 1, 2]);
  });
});
