import { admin, bearer } from '../../test/support.js';
import { startProviderSim } from '../server.js';
import type { ProviderSim } from '../server.js';

const DAY_MS = 86_400_000;
const basic = { authorization: `Basic ${Buffer.from('EZTK_sim_key:').toString('base64')}` };
const address = { street1: '1 Main St', city: 'Springfield', zip: '62701', country: 'US' };

let sim: ProviderSim;
beforeEach(async () => {
  sim = await startProviderSim();
});
afterEach(() => sim.close());

async function stripeCreated(): Promise<number> {
  const response = await fetch(`${sim.url}/v1/payment_intents`, {
    method: 'POST',
    headers: bearer,
    body: 'amount=100&currency=eur',
  });
  return ((await response.json()) as { created: number }).created;
}

async function hubspotCreatedAt(id: string): Promise<number> {
  const response = await fetch(`${sim.url}/crm/v3/objects/contacts/batch/upsert`, {
    method: 'POST',
    headers: { ...bearer, 'content-type': 'application/json' },
    body: JSON.stringify({ inputs: [{ idProperty: 'tributary_contact_id', id, properties: {} }] }),
  });
  const body = (await response.json()) as { results: { createdAt: string }[] };
  return Date.parse(body.results[0]!.createdAt);
}

async function easypostCreatedAt(): Promise<number> {
  const response = await fetch(`${sim.url}/v2/shipments`, {
    method: 'POST',
    headers: { ...basic, 'content-type': 'application/json' },
    body: JSON.stringify({ shipment: { to_address: address, from_address: address, parcel: { weight: 1 } } }),
  });
  return Date.parse(((await response.json()) as { created_at: string }).created_at);
}

describe('provider-sim, the clock', () => {
  it('shifts every provider timestamp by the offset, and back to real time on reset', async () => {
    const offsetMs = 31 * DAY_MS;
    const set = await admin<{ offsetMs: number; now: string }>(sim.url, '/clock', { offsetMs });
    expect(set.offsetMs).toBe(offsetMs);
    expect(Date.parse(set.now) - Date.now()).toBeGreaterThan(offsetMs - 60_000);

    const future = Date.now() + offsetMs - 60_000;
    expect((await stripeCreated()) * 1000).toBeGreaterThan(future);
    expect(await hubspotCreatedAt('c-future')).toBeGreaterThan(future);
    expect(await easypostCreatedAt()).toBeGreaterThan(future);

    await admin(sim.url, '/reset', {});
    expect(await admin(sim.url, '/clock')).toMatchObject({ offsetMs: 0 });
    expect((await stripeCreated()) * 1000).toBeLessThan(future);
    expect(await hubspotCreatedAt('c-present')).toBeLessThan(future);
  });

  it('sets the offset from real time, not from the last offset', async () => {
    await admin(sim.url, '/clock', { offsetMs: DAY_MS });
    await admin(sim.url, '/clock', { offsetMs: DAY_MS });
    expect(await admin(sim.url, '/clock')).toMatchObject({ offsetMs: DAY_MS });
    await expect(admin(sim.url, '/clock', { offsetMs: 'soon' })).rejects.toThrow(/400/);
  });
});
