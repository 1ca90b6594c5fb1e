import { STRIPE_METADATA } from '@tributary/webhooks';
import { waitFor } from '@tributary/testkit';
import { admin, bearer, startReceiver } from '../../test/support.js';
import type { WebhookReceiver } from '../../test/support.js';
import { startProviderSim } from '../server.js';
import type { ProviderSim } from '../server.js';
import { pickDrifted } from './seed.js';
import { seededRandom } from './random.js';

const COUNT = 100_000;
const basic = { authorization: `Basic ${Buffer.from('EZTK_sim_key:').toString('base64')}` };

interface Seeded<O, D> {
  provider: string;
  count: number;
  drifted: number;
  objects: O[];
  drift: D[];
}

let receiver: WebhookReceiver;
let sim: ProviderSim;
beforeEach(async () => {
  receiver = await startReceiver();
  sim = await startProviderSim({
    stripeWebhook: { url: receiver.url, secret: 'whsec_provider_sim_test_secret' },
    hubspotWebhook: { url: receiver.url, secret: 'hubspot-client-secret-for-tests' },
    easypostWebhook: { url: receiver.url, secret: 'easypost_webhook_secret_for_tests' },
    hubspotWebhookBatchMs: 10,
    easypostTrackingStepMs: 10,
    hubspotRateLimitMax: 1_000_000,
  });
});
afterEach(async () => {
  await sim.close();
  await receiver.close();
});

const seed = <O, D>(body: Record<string, unknown>) => admin<Seeded<O, D>>(sim.url, '/seed', body);
const objects = () => admin<Record<string, Record<string, number>>>(sim.url, '/objects');

describe('provider-sim, seeding 100,000 objects', () => {
  it('seeds Stripe intents with our metadata, charges and events; a list walk meets each once', async () => {
    type Intent = { id: string; paymentId: string; orderId: string; customerId: string; status: string };
    const seeded = await seed<Intent, { id: string; local: string; provider: string }>({
      provider: 'stripe',
      count: COUNT,
      driftRate: 0.01,
      seed: 7,
    });
    expect([seeded.count, seeded.objects.length, seeded.drifted, seeded.drift.length]).toEqual([
      COUNT,
      COUNT,
      1_000,
      1_000,
    ]);
    expect(await objects()).toMatchObject({
      stripe: { payment_intents: COUNT, charges: COUNT + 1_000, events: 2 * COUNT },
    });
    const ids = new Set(seeded.objects.map((intent) => intent.id));
    expect(ids.size).toBe(COUNT);

    let walked = 0;
    let after = '';
    for (;;) {
      const response = await fetch(
        `${sim.url}/v1/payment_intents?limit=100${after ? `&starting_after=${after}` : ''}`,
        { headers: bearer },
      );
      const page = (await response.json()) as { has_more: boolean; data: { id: string }[] };
      for (const intent of page.data) if (ids.delete(intent.id)) walked += 1;
      if (!page.has_more) break;
      after = page.data[page.data.length - 1]!.id;
    }
    expect([walked, ids.size]).toEqual([COUNT, 0]);

    const drifted = seeded.drift[0]!;
    const local = seeded.objects.find((intent) => intent.id === drifted.id)!;
    expect([local.status, drifted.local, drifted.provider]).toEqual([
      'requires_payment_method',
      'requires_payment_method',
      'succeeded',
    ]);
    const got = await fetch(`${sim.url}/v1/payment_intents/${drifted.id}`, { headers: bearer });
    expect(await got.json()).toMatchObject({
      status: 'succeeded',
      metadata: {
        [STRIPE_METADATA.paymentId]: local.paymentId,
        [STRIPE_METADATA.orderId]: local.orderId,
        [STRIPE_METADATA.customerId]: local.customerId,
      },
    });
  });

  it('seeds HubSpot contacts with tributary_contact_id; drifted ones edited later, found by search', async () => {
    type Contact = { id: string; contactId: string; lifecyclestage: string };
    const seeded = await seed<Contact, { id: string }>({
      provider: 'hubspot',
      count: COUNT,
      driftRate: 0.01,
    });
    expect([seeded.count, seeded.objects.length, seeded.drift.length]).toEqual([COUNT, COUNT, 1_000]);
    expect(await objects()).toMatchObject({ hubspot: { contacts: COUNT, archived: 0 } });
    const search = await fetch(`${sim.url}/crm/v3/objects/contacts/search`, {
      method: 'POST',
      headers: { ...bearer, 'content-type': 'application/json' },
      body: JSON.stringify({
        filterGroups: [
          { filters: [{ propertyName: 'lifecyclestage', operator: 'EQ', value: 'evangelist' }] },
        ],
        limit: 1,
      }),
    });
    expect(((await search.json()) as { total: number }).total).toBe(1_000);
    const sample = seeded.objects[COUNT - 1]!;
    const byOurId = await fetch(
      `${sim.url}/crm/v3/objects/contacts/${sample.contactId}?idProperty=tributary_contact_id`,
      { headers: bearer },
    );
    expect(await byOurId.json()).toMatchObject({ id: sample.id });
  });

  it('seeds bought EasyPost shipments with our reference and a tracker; drifted ones delivered', async () => {
    type Shipment = { id: string; reference: string; trackingCode: string; status: string };
    const seeded = await seed<Shipment, { id: string; trackerId: string }>({
      provider: 'easypost',
      count: COUNT,
      driftRate: 0.01,
    });
    expect([seeded.count, seeded.objects.length, seeded.drift.length]).toEqual([COUNT, COUNT, 1_000]);
    expect(await objects()).toMatchObject({ easypost: { shipments: COUNT, trackers: COUNT } });
    const newest = await fetch(`${sim.url}/v2/shipments?page_size=100`, { headers: basic });
    const page = (await newest.json()) as { shipments: { id: string }[]; has_more: boolean };
    expect(page.shipments.map((shipment) => shipment.id)).toEqual(
      seeded.objects
        .slice(-100)
        .map((shipment) => shipment.id)
        .reverse(),
    );
    const sample = seeded.objects[0]!;
    const byReference = await fetch(`${sim.url}/v2/shipments/${sample.reference}`, { headers: basic });
    expect(await byReference.json()).toMatchObject({ id: sample.id, tracker: { status: 'in_transit' } });
    const drifted = seeded.drift[0]!;
    const tracker = await fetch(`${sim.url}/v2/trackers/${drifted.trackerId}`, { headers: basic });
    expect(await tracker.json()).toMatchObject({ status: 'delivered', shipment_id: drifted.id });
  });
});

describe('provider-sim, seeding', () => {
  it('sends no webhook: the first to arrive is the one of a later API call', async () => {
    await seed({ provider: 'stripe', count: 50, driftRate: 0.5, driftEvents: true });
    await seed({ provider: 'hubspot', count: 50, driftRate: 0.5 });
    await seed({ provider: 'easypost', count: 50, driftRate: 0.5 });
    const paid = await fetch(`${sim.url}/v1/payment_intents`, {
      method: 'POST',
      headers: bearer,
      body: 'amount=100&currency=eur&confirm=true',
    });
    const intent = (await paid.json()) as { id: string };
    await waitFor(() => receiver.received.length >= 1, { timeoutMs: 5_000 });
    const first = receiver.received[0]!.json as unknown as { data: { object: { id: string } } };
    expect(first.data.object.id).toBe(intent.id);
  });

  it('spreads creation over spreadMs before now, older than what the API creates next', async () => {
    const spreadMs = 3_600_000;
    const seeded = await seed<{ id: string; created: number }, unknown>({
      provider: 'stripe',
      count: 10,
      spreadMs,
    });
    const now = Date.now() / 1000;
    for (const intent of seeded.objects) {
      expect(intent.created).toBeGreaterThanOrEqual(Math.floor(now - spreadMs / 1000) - 5);
      expect(intent.created).toBeLessThanOrEqual(now);
    }
    const created = await fetch(`${sim.url}/v1/payment_intents`, {
      method: 'POST',
      headers: bearer,
      body: 'amount=100&currency=eur',
    });
    const fresh = (await created.json()) as { id: string };
    const listed = await fetch(`${sim.url}/v1/payment_intents?limit=3`, { headers: bearer });
    const ids = ((await listed.json()) as { data: { id: string }[] }).data.map((intent) => intent.id);
    expect(ids[0]).toBe(fresh.id);
    expect(ids.slice(1)).toEqual([seeded.objects[9]!.id, seeded.objects[8]!.id]);
  });

  it('drifts exactly round(count × rate) objects, the same ones for the same seed', () => {
    const marks = (seed: number) => [...pickDrifted(1_000, 0.037, seededRandom(seed))];
    expect(marks(1).filter(Boolean)).toHaveLength(37);
    expect(marks(1)).toEqual(marks(1));
    expect(marks(1)).not.toEqual(marks(2));
    expect([...pickDrifted(10, 1, seededRandom(1))].every(Boolean)).toBe(true);
  });

  it('refuses a provider without seeding, a count or a rate out of range, and no count', async () => {
    await expect(seed({ provider: 'generic', count: 1 })).rejects.toThrow(/400/);
    await expect(seed({ provider: 'stripe', count: 0 })).rejects.toThrow(/400/);
    await expect(seed({ provider: 'stripe', count: 1, driftRate: 2 })).rejects.toThrow(/400/);
    await expect(seed({ provider: 'hubspot' })).rejects.toThrow(/400/);
  });
});
