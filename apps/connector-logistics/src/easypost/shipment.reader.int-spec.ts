import { providerSimProcess, readerHarness } from '@tributary/connector-sdk/testing';
import type { ProviderSimProcess, ReaderHarness } from '@tributary/connector-sdk/testing';
import { logisticsConnector } from '../logistics.connector.js';
import type { EasyPostClient, EasyPostShipment } from './easypost.client.js';

// The reader in the test process on the connector's own client and limits, against the simulator's EasyPost
// as a process with its own store: the counts are exact.
let sim: ProviderSimProcess;
let reads: ReaderHarness<EasyPostClient>;

/**
 * One page as the reconciler gets it: asked again from the same cursor while the client refuses it for the
 * rate limit (an earlier test's 429 leaves the client pacing for a moment); any other answer is returned.
 */
const readPatiently = async (ask: Parameters<ReaderHarness<unknown>['read']>[0]) =>
  (await reads.walk(ask, { patient: true, maxPages: 1 })).pages[0]!;
const API_KEY = 'EZTK_reader';
const config = () =>
  logisticsConnector.config.parse({
    EASYPOST_API_BASE: sim.url,
    EASYPOST_API_KEY: API_KEY,
    EASYPOST_FROM_NAME: 'Tributary Warehouse',
    EASYPOST_FROM_STREET1: '417 Montgomery Street',
    EASYPOST_FROM_CITY: 'San Francisco',
    EASYPOST_FROM_ZIP: '94104',
  });

interface SeededShipment {
  readonly id: string;
  readonly reference: string;
  readonly trackingCode: string;
}

const DAY = 24 * 3600 * 1000;
const auth = () => ({ authorization: `Basic ${Buffer.from(`${API_KEY}:`).toString('base64')}` });

beforeAll(async () => {
  sim = await providerSimProcess();
  reads = readerHarness(logisticsConnector, { config: config() });
}, 60_000);

afterAll(async () => {
  await reads?.close();
  await sim?.close();
});

afterEach(async () => {
  await sim.admin('/faults', { method: 'DELETE' });
  await sim.admin('/clock', { body: { offsetMs: 0 } });
});

/** Runs `work` with the simulator's clock reading `at` (epoch ms). */
async function atSimTime<T>(at: number, work: () => Promise<T>): Promise<T> {
  await sim.admin('/clock', { body: { offsetMs: Math.round(at - Date.now()) } });
  try {
    return await work();
  } finally {
    await sim.admin('/clock', { body: { offsetMs: 0 } });
  }
}

/** Bought shipments in transit, as the logistics connector leaves them, created over `spreadMs` before `at`. */
const seed = (count: number, at: number, spreadMs: number) =>
  atSimTime(
    at,
    async () =>
      (
        await sim.admin<{ objects: SeededShipment[] }>('/seed', {
          body: { provider: 'easypost', count, spreadMs },
        })
      ).objects,
  );

/** The carrier reports `status` for the shipment at `at`. */
const track = (id: string, status: string, at: number) =>
  atSimTime(at, () =>
    sim.admin('/drift', {
      body: { provider: 'easypost', kind: 'tracker-status', id, status, webhook: false },
    }),
  );

async function shipment(id: string): Promise<EasyPostShipment> {
  return (
    await fetch(`${sim.url}/v2/shipments/${id}`, { headers: auth() })
  ).json() as Promise<EasyPostShipment>;
}

/** A shipment created and never bought: what a crash between create and buy leaves. */
async function unbought(reference: string): Promise<EasyPostShipment> {
  const address = { street1: '1 Main St', city: 'Springfield', state: 'IL', zip: '62701', country: 'US' };
  const response = await fetch(`${sim.url}/v2/shipments`, {
    method: 'POST',
    headers: { ...auth(), 'content-type': 'application/json' },
    body: JSON.stringify({
      shipment: { reference, to_address: address, from_address: address, parcel: { weight: 16 } },
    }),
  });
  return (await response.json()) as EasyPostShipment;
}

const ids = (records: readonly { externalId: string }[]) => records.map((r) => r.externalId);

describe('shipment reader against the simulated EasyPost', () => {
  it('walks every shipment, bought or not, exactly once, normalised to the owned fields', async () => {
    const seeded = await seed(230, Date.now() - 3 * DAY, DAY);
    const delivered = seeded[5]!;
    await track(delivered.id, 'delivered', Date.now());
    const requested = await unbought('ship-unbought');
    const withOrder = readerHarness(logisticsConnector, {
      config: config(),
      externalRefs: [{ externalType: 'shipment_order', externalId: seeded[0]!.id, internalId: 'order-0' }],
    });
    try {
      const before = (await sim.admin<{ requests: number }>('/rate?provider=easypost')).requests;
      const { pages, records } = await withOrder.walk(
        { entity: 'shipment', mode: 'FULL', pageSize: 100 },
        { patient: true },
      );
      const objects = await sim.admin<{ easypost: { shipments: number } }>('/objects');

      expect(records).toHaveLength(objects.easypost.shipments);
      expect(new Set(ids(records)).size).toBe(records.length);
      expect(pages.at(-1)).toMatchObject({ complete: true, failureCode: null });
      expect((await sim.admin<{ requests: number }>('/rate?provider=easypost')).requests - before).toBe(
        pages.length,
      );

      const byId = new Map(records.map((r) => [r.externalId, r]));
      for (const [index, shipped] of seeded.entries()) {
        const held = await shipment(shipped.id);
        expect(byId.get(shipped.id)).toEqual({
          externalId: shipped.id,
          internalId: shipped.reference,
          ownerUpdatedAt: Math.max(Date.parse(held.updated_at), Date.parse(held.tracker!.updated_at!)),
          deleted: false,
          fields: {
            status: shipped === delivered ? 'delivered' : 'created',
            carrier: held.selected_rate!.carrier,
            trackingNumber: shipped.trackingCode,
            orderId: index === 0 ? 'order-0' : null,
          },
        });
      }
      expect(byId.get(requested.id)).toMatchObject({
        internalId: 'ship-unbought',
        fields: { status: 'requested', carrier: null, trackingNumber: null, orderId: null },
      });
    } finally {
      await withOrder.close();
    }
  });

  it('reads an incremental window: shipments changed in it, also those created within the look-back, bounds inclusive', async () => {
    const windowFrom = Date.now() - 40 * DAY;
    const windowTo = windowFrom + 3_600_000;
    const beforeWindow = await seed(1, windowFrom - 1 * DAY, 0);
    // Created ten days before the window, delivered in it: within the 14-day look-back.
    const lateParcel = await seed(1, windowFrom - 10 * DAY, 0);
    // Created twenty days before, delivered in it: past the look-back, left to FULL runs.
    const lostParcel = await seed(1, windowFrom - 20 * DAY, 0);
    // Two created at the same instant, which is the window's lower bound; one at its upper bound.
    const atStart = await seed(2, windowFrom, 0);
    const atEnd = await seed(1, windowTo, 0);
    const afterWindow = await seed(1, windowTo + 60_000, 0);
    await track(lateParcel[0]!.id, 'delivered', windowFrom + 60_000);
    await track(lostParcel[0]!.id, 'delivered', windowFrom + 60_000);
    const versions = async (shipped: readonly SeededShipment[]) =>
      Promise.all(shipped.map(async (s) => Date.parse((await shipment(s.id)).updated_at)));
    // The simulator's clock runs on while it seeds: the bounds are the versions it gave.
    const [from] = await versions(atStart);
    const [to] = await versions(atEnd);
    expect(await versions(atStart)).toEqual([from, from]);

    const { pages, records } = await reads.walk(
      { entity: 'shipment', mode: 'INCREMENTAL', changedFrom: from!, changedTo: to!, pageSize: 2 },
      { patient: true },
    );
    expect(pages.every((page) => page.failureCode === null)).toBe(true);
    // Newest created first.
    expect(ids(records)).toEqual([atEnd[0]!.id, atStart[1]!.id, atStart[0]!.id, lateParcel[0]!.id]);
    expect(records.find((r) => r.externalId === lateParcel[0]!.id)?.fields.status).toBe('delivered');
    for (const outside of [...beforeWindow, ...lostParcel, ...afterWindow])
      expect(ids(records)).not.toContain(outside.id);
  });

  it('answers a 429 mid-walk with a failed page, and the same cursor then continues without gap or duplicate', async () => {
    const first = await readPatiently({ entity: 'shipment', mode: 'FULL', pageSize: 50 });
    expect(first.failureCode).toBeNull();
    await sim.admin('/faults', {
      body: { route: 'GET /v2/shipments', status429Rate: 1, retryAfterSeconds: 1, times: 1 },
    });
    const refused = await reads.read({
      entity: 'shipment',
      mode: 'FULL',
      pageSize: 50,
      cursor: first.nextCursor,
    });
    expect(refused).toMatchObject({
      records: [],
      complete: false,
      nextCursor: first.nextCursor,
      failureCode: 'PROVIDER_RATE_LIMITED',
    });
    const rest = await reads.walk(
      { entity: 'shipment', mode: 'FULL', pageSize: 50, cursor: first.nextCursor },
      { patient: true },
    );
    const all = [...first.records, ...rest.records];
    const objects = await sim.admin<{ easypost: { shipments: number } }>('/objects');
    expect(all).toHaveLength(objects.easypost.shipments);
    expect(new Set(ids(all)).size).toBe(all.length);
  });

  it('answers a truncated answer as a failed page (a low-priority call is not retried), read whole when asked again', async () => {
    await seed(120, Date.now() - 50 * DAY, DAY);
    await sim.admin('/faults', { body: { route: 'GET /v2/shipments', truncate: true, times: 1 } });
    const page = await readPatiently({ entity: 'shipment', mode: 'FULL', pageSize: 100 });
    expect(page).toMatchObject({
      records: [],
      complete: false,
      nextCursor: null,
      failureCode: 'PROVIDER_UNAVAILABLE',
    });
    const again = await readPatiently({ entity: 'shipment', mode: 'FULL', pageSize: 100 });
    expect(again.failureCode).toBeNull();
    expect(again.records).toHaveLength(100);
  });

  it('reads shipments by our ids (their reference), leaving out ids EasyPost does not know', async () => {
    const seeded = await seed(3, Date.now() - 60 * DAY, DAY);
    const { pages, records } = await reads.walk(
      {
        entity: 'shipment',
        mode: 'IDS',
        ids: [seeded[2]!.reference, 'not-at-easypost', seeded[0]!.reference],
      },
      { patient: true },
    );
    expect(pages).toHaveLength(1);
    expect(records.map((r) => [r.externalId, r.internalId])).toEqual([
      [seeded[2]!.id, seeded[2]!.reference],
      [seeded[0]!.id, seeded[0]!.reference],
    ]);
  });
});
