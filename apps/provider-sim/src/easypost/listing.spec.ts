import { admin } from '../../test/support.js';
import { startProviderSim } from '../server.js';
import type { ProviderSim } from '../server.js';

const basic = { authorization: `Basic ${Buffer.from('EZTK_sim_key:').toString('base64')}` };
const address = { street1: '1 Main St', city: 'Springfield', zip: '62701', country: 'US' };

interface Tracker {
  id: string;
  status: string;
  tracking_code: string;
  carrier: string;
  shipment_id: string;
  updated_at: string;
  created_at: string;
}
interface Shipment {
  id: string;
  reference: string | null;
  created_at: string;
  updated_at: string;
  tracking_code: string | null;
  rates: { id: string; carrier: string }[];
  tracker: Tracker | null;
}
interface ShipmentPage {
  shipments: Shipment[];
  has_more: boolean;
}

let sim: ProviderSim;
beforeEach(async () => {
  sim = await startProviderSim();
});
afterEach(() => sim.close());

async function post<T>(path: string, body: unknown): Promise<T> {
  const response = await fetch(`${sim.url}${path}`, {
    method: 'POST',
    headers: { ...basic, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.ok).toBe(true);
  return (await response.json()) as T;
}

async function ship(reference: string, rate = 0, buy = true): Promise<Shipment> {
  const created = await post<Shipment>('/v2/shipments', {
    shipment: { reference, to_address: address, from_address: address, parcel: { weight: 1 } },
  });
  if (!buy) return created;
  return post<Shipment>(`/v2/shipments/${created.id}/buy`, { rate: { id: created.rates[rate]!.id } });
}

/** `count` bought shipments, three per millisecond-distinct clock step, so ties by id are exercised. */
async function shipSpread(count: number): Promise<Shipment[]> {
  const made: Shipment[] = [];
  for (let i = 0; i < count; i++) {
    if (i % 3 === 0) await admin(sim.url, '/clock', { offsetMs: -(count - i) * 1000 });
    made.push(await ship(`order-${i}`));
  }
  await admin(sim.url, '/clock', { offsetMs: 0 });
  return made;
}

const get = (path: string) => fetch(`${sim.url}${path}`, { headers: basic });

async function page(query: string): Promise<ShipmentPage> {
  const response = await get(`/v2/shipments?${query}`);
  expect(response.status).toBe(200);
  return (await response.json()) as ShipmentPage;
}

const newestFirst = (a: { created_at: string; id: string }, b: { created_at: string; id: string }) =>
  Date.parse(b.created_at) - Date.parse(a.created_at) || (a.id < b.id ? 1 : -1);

async function walk(query: string, between?: () => Promise<unknown>): Promise<Shipment[]> {
  const seen: Shipment[] = [];
  let before: string | undefined;
  for (;;) {
    const body = await page(`${query}${before ? `&before_id=${before}` : ''}`);
    seen.push(...body.shipments);
    if (!body.has_more) return seen;
    before = body.shipments[body.shipments.length - 1]!.id;
    await between?.();
  }
}

describe('provider-sim, EasyPost shipments list', () => {
  it('walks every bought shipment once with before_id, newest first, ties broken by id', async () => {
    const made = await shipSpread(14);
    const seen = await walk('page_size=4');
    expect(seen.map((shipment) => shipment.id)).toEqual([...made].sort(newestFirst).map((s) => s.id));
    expect(seen[0]).toMatchObject({
      reference: expect.stringMatching(/^order-/),
      created_at: expect.any(String),
      updated_at: expect.any(String),
      tracking_code: expect.any(String),
      tracker: { status: 'pre_transit', updated_at: expect.any(String) },
    });
  });

  it('still gives every older shipment once when shipments are created between pages', async () => {
    const before = await shipSpread(9);
    let n = 0;
    const seen = await walk('page_size=2', () => ship(`during-${n++}`));
    const ids = seen.map((shipment) => shipment.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual([...before].sort(newestFirst).map((shipment) => shipment.id));
  });

  it('lists bought shipments only unless purchased=false, as EasyPost’s purchased defaults to true', async () => {
    const bought = await ship('bought');
    const quoted = await ship('quoted', 0, false);
    expect((await page('')).shipments.map((shipment) => shipment.id)).toEqual([bought.id]);
    expect((await page('purchased=false')).shipments.map((shipment) => shipment.id)).toEqual([
      quoted.id,
      bought.id,
    ]);
  });

  it('walks towards the present with after_id and filters by a created_at window', async () => {
    const made = [...(await shipSpread(9))].sort(newestFirst);
    const oldest = made[made.length - 1]!;
    const nearest = await page(`page_size=3&after_id=${oldest.id}`);
    expect(nearest.shipments.map((shipment) => shipment.id)).toEqual(made.slice(5, 8).map((s) => s.id));
    expect(nearest.has_more).toBe(true);
    const from = made[6]!.created_at;
    const to = made[2]!.created_at;
    const within = made.filter((shipment) => shipment.created_at >= from && shipment.created_at <= to);
    const window = await page(`page_size=100&start_datetime=${from}&end_datetime=${to}`);
    expect(window.shipments.map((shipment) => shipment.id)).toEqual(within.map((shipment) => shipment.id));
  });

  it('defaults to 20 per page and refuses what EasyPost refuses with 422 PARAMETER.INVALID', async () => {
    for (let i = 0; i < 21; i++) await ship(`r-${i}`);
    expect((await page('')).shipments).toHaveLength(20);
    expect((await page('page_size=100')).shipments).toHaveLength(21);
    for (const query of ['page_size=101', 'page_size=0', 'before_id=shp_missing', 'start_datetime=soon']) {
      const response = await get(`/v2/shipments?${query}`);
      expect([query, response.status]).toEqual([query, 422]);
      expect(await response.json()).toMatchObject({
        error: { code: 'PARAMETER.INVALID', errors: [expect.anything()] },
      });
    }
  });
});

describe('provider-sim, EasyPost trackers', () => {
  it('retrieves a tracker by id and lists trackers by tracking code, carrier and page', async () => {
    const usps = await ship('a', 0);
    const ups = await ship('b', 2);
    const third = await ship('c', 1);
    const tracker = await get(`/v2/trackers/${usps.tracker!.id}`);
    expect(await tracker.json()).toMatchObject({
      id: usps.tracker!.id,
      object: 'Tracker',
      status: 'pre_transit',
      tracking_code: usps.tracking_code,
      shipment_id: usps.id,
    });
    expect((await get('/v2/trackers/trk_missing')).status).toBe(404);

    const list = async (query: string) => {
      const response = await get(`/v2/trackers?${query}`);
      expect(response.status).toBe(200);
      return (await response.json()) as { trackers: Tracker[]; has_more: boolean };
    };
    const ids = async (query: string) => (await list(query)).trackers.map((t) => t.id);
    expect(await ids(`tracking_codes[]=${usps.tracking_code}&tracking_codes[]=${ups.tracking_code}`)).toEqual(
      [ups.tracker!.id, usps.tracker!.id],
    );
    expect(await ids(`tracking_code=${third.tracking_code}`)).toEqual([third.tracker!.id]);
    expect(await ids('tracking_code=EZ_UNKNOWN')).toEqual([]);
    expect(await ids('carrier=ups')).toEqual([ups.tracker!.id]);
    const first = await list('page_size=2');
    expect(first).toMatchObject({ has_more: true });
    const rest = await list(`page_size=2&before_id=${first.trackers[1]!.id}`);
    expect([...first.trackers, ...rest.trackers].map((t) => t.id)).toEqual([
      third.tracker!.id,
      ups.tracker!.id,
      usps.tracker!.id,
    ]);
    expect(rest.has_more).toBe(false);
  });
});
