import { providerSimProcess, readerHarness } from '@tributary/connector-sdk/testing';
import type { ProviderSimProcess, ReaderHarness } from '@tributary/connector-sdk/testing';
import { crmConnector } from '../crm.connector.js';
import type { HubSpotClient } from './hubspot.client.js';

// The reader in the test process on the connector's own client and limits (searches at 4/s, low
// priority), against the simulator's HubSpot as a process with its own store: the counts are exact.
let sim: ProviderSimProcess;
let reads: ReaderHarness<HubSpotClient>;

/**
 * One page as the reconciler gets it: asked again from the same cursor while the client refuses it for the
 * rate limit (an earlier test's 429 leaves the client pacing for a moment); any other answer is returned.
 */
const readPatiently = async (ask: Parameters<ReaderHarness<unknown>['read']>[0]) =>
  (await reads.walk(ask, { patient: true, maxPages: 1 })).pages[0]!;
const config = () =>
  crmConnector.config.parse({ HUBSPOT_API_BASE: sim.url, HUBSPOT_ACCESS_TOKEN: 'pat-reader' });

beforeAll(async () => {
  sim = await providerSimProcess();
  reads = readerHarness(crmConnector, { config: config() });
}, 60_000);

afterAll(async () => {
  await reads?.close();
  await sim?.close();
});

afterEach(async () => {
  await sim.admin('/faults', { method: 'DELETE' });
  await sim.admin('/clock', { body: { offsetMs: 0 } });
});

interface SeededContact {
  readonly id: string;
  readonly contactId: string;
  readonly email: string;
  readonly lastmodifieddate: string;
}

const DAY = 24 * 3600 * 1000;

/**
 * `count` contacts as the CRM connector makes them, created evenly over `spreadMs` before `at` (epoch ms on
 * the simulator's clock); `spreadMs: 0` puts them all at the same millisecond.
 */
async function seed(count: number, at: number, spreadMs: number): Promise<SeededContact[]> {
  await sim.admin('/clock', { body: { offsetMs: Math.round(at - Date.now()) } });
  const answer = await sim.admin<{ objects: SeededContact[] }>('/seed', {
    body: { provider: 'hubspot', count, spreadMs },
  });
  await sim.admin('/clock', { body: { offsetMs: 0 } });
  return answer.objects;
}

const versionOf = (contact: SeededContact) => Date.parse(contact.lastmodifieddate);
const ids = (records: readonly { externalId: string }[]) => records.map((r) => r.externalId);

describe('contact reader against the simulated HubSpot', () => {
  it('walks every live contact exactly once, then the archived ones as deleted, one list call a page', async () => {
    // A fortnight ago, away from every other test's contacts.
    const seeded = await seed(230, Date.now() - 14 * DAY, DAY);
    const [archived, consenting] = [seeded.slice(0, 3), seeded[10]!];
    for (const contact of archived)
      await sim.admin('/drift', { body: { provider: 'hubspot', kind: 'archive', id: contact.id } });
    await sim.admin('/drift', {
      body: {
        provider: 'hubspot',
        kind: 'edit',
        id: consenting.id,
        webhook: false,
        properties: { tributary_marketing_consent: 'true', phone: '+49 30 1234567' },
      },
    });
    const before = (await sim.admin<{ requests: number }>('/rate?provider=hubspot')).requests;

    const { pages, records } = await reads.walk(
      { entity: 'contact', mode: 'FULL', pageSize: 100 },
      { patient: true },
    );

    const objects = await sim.admin<{ hubspot: { contacts: number; archived: number } }>('/objects');
    const live = records.filter((r) => !r.deleted);
    const gone = records.filter((r) => r.deleted);
    expect(new Set(ids(records)).size).toBe(records.length);
    expect(live).toHaveLength(objects.hubspot.contacts);
    expect(gone).toHaveLength(objects.hubspot.archived);
    expect(ids(gone)).toEqual(archived.map((c) => c.id));
    expect(ids(live)).toEqual(expect.arrayContaining(seeded.slice(3).map((c) => c.id)));
    // Live pages first, then the recycling bin; each page one call.
    expect(pages.at(-1)).toMatchObject({ complete: true, nextCursor: null, failureCode: null });
    expect((await sim.admin<{ requests: number }>('/rate?provider=hubspot')).requests - before).toBe(
      pages.length,
    );

    const byId = new Map(records.map((r) => [r.externalId, r]));
    for (const [index, contact] of seeded.entries()) {
      expect(byId.get(contact.id)).toEqual({
        externalId: contact.id,
        internalId: contact.contactId,
        ownerUpdatedAt:
          contact === consenting || archived.includes(contact) ? expect.any(Number) : versionOf(contact),
        deleted: archived.includes(contact),
        fields: {
          email: contact.email,
          givenName: 'Seed',
          familyName: `Contact ${index}`,
          phone: contact === consenting ? '+49 30 1234567' : null,
          marketingConsent: contact === consenting ? 'true' : 'false',
          // Seeded as the payment handler's upsert leaves a contact, without an order of ours.
          lifecycleStage: 'customer',
          lastPaidOrderId: null,
        },
      });
    }
    expect(byId.get(consenting.id)!.ownerUpdatedAt).toBeGreaterThan(versionOf(consenting));
  });

  it('reads an incremental window: exactly the contacts changed in it, ties at its bounds included once', async () => {
    const base = Date.now() - 30 * DAY;
    const before = await seed(2, base - 60_000, 0);
    // Three at the lower bound's very millisecond, more than a page of two: paged within the tie.
    const first = await seed(3, base, 0);
    const middle = await seed(4, base + 60_000, 50_000);
    const last = await seed(2, base + 120_000, 0);
    const after = await seed(2, base + 180_000, 0);
    // The simulator's clock runs on while it seeds: the bounds are the versions it gave.
    const [from, to] = [versionOf(first[0]!), versionOf(last[0]!)];
    expect(first.map(versionOf)).toEqual([from, from, from]);
    expect(last.map(versionOf)).toEqual([to, to]);

    const { pages, records } = await reads.walk(
      { entity: 'contact', mode: 'INCREMENTAL', changedFrom: from, changedTo: to, pageSize: 2 },
      { patient: true },
    );
    expect(pages.every((page) => page.failureCode === null)).toBe(true);
    expect(ids(records)).toEqual([...first, ...middle, ...last].map((c) => c.id));
    expect(records.map((r) => r.ownerUpdatedAt)).toEqual([...first, ...middle, ...last].map(versionOf));
    for (const outside of [...before, ...after]) expect(ids(records)).not.toContain(outside.id);
  });

  it("crosses HubSpot's 10,000-result cap without losing or repeating anyone, and keeps up with a contact changed mid-walk", async () => {
    const base = Date.now() - 60 * DAY;
    const seeded = await seed(10_050, base, 7 * DAY);
    const window = { changedFrom: base - 7 * DAY, changedTo: base };

    const firstPage = await reads.walk(
      { entity: 'contact', mode: 'INCREMENTAL', pageSize: 200, ...window },
      { patient: true, maxPages: 1 },
    );
    // A contact of the first page edited now: it leaves the window, so every later one moves up a place in
    // HubSpot's offsets. A walk that paged by offset would skip the one that moved onto the page boundary.
    const edited = firstPage.records[10]!;
    await sim.admin('/drift', {
      body: {
        provider: 'hubspot',
        kind: 'edit',
        id: edited.externalId,
        webhook: false,
        properties: { firstname: 'Ada' },
      },
    });
    const rest = await reads.walk(
      {
        entity: 'contact',
        mode: 'INCREMENTAL',
        pageSize: 200,
        ...window,
        cursor: firstPage.pages[0]!.nextCursor,
      },
      { patient: true, timeoutMs: 60_000 },
    );

    const records = [...firstPage.records, ...rest.records];
    expect(rest.pages.every((page) => page.failureCode === null)).toBe(true);
    expect(rest.pages.at(-1)?.complete).toBe(true);
    expect(records).toHaveLength(seeded.length);
    expect(new Set(ids(records))).toEqual(new Set(seeded.map((c) => c.id)));
    // Ascending: the walk never went back in time.
    const versions = records.map((r) => r.ownerUpdatedAt);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
  }, 120_000);

  it('answers a 429 mid-walk with a failed page, and the same cursor then continues without gap or duplicate', async () => {
    const base = Date.now() - 90 * DAY;
    const seeded = await seed(25, base, DAY);
    const ask = {
      entity: 'contact',
      mode: 'INCREMENTAL',
      pageSize: 10,
      changedFrom: base - DAY,
      changedTo: base,
    } as const;
    await sim.admin('/faults', {
      body: {
        route: 'POST /crm/v3/objects/contacts/search',
        status429Rate: 1,
        retryAfterSeconds: 1,
        times: 1,
        afterRequests: 1,
      },
    });
    const first = await reads.walk(ask, { patient: true, maxPages: 1 });
    const refused = await reads.read({ ...ask, cursor: first.pages[0]!.nextCursor });
    expect(refused).toMatchObject({
      records: [],
      complete: false,
      nextCursor: first.pages[0]!.nextCursor,
      failureCode: 'PROVIDER_RATE_LIMITED',
    });
    const rest = await reads.walk({ ...ask, cursor: first.pages[0]!.nextCursor }, { patient: true });
    const all = [...first.records, ...rest.records];
    expect(ids(all)).toEqual(seeded.map((c) => c.id));
  });

  it('answers a truncated answer as a failed page (a low-priority call is not retried), read whole when asked again', async () => {
    await sim.admin('/faults', { body: { route: 'GET /crm/v3/objects/contacts', truncate: true, times: 1 } });
    const page = await readPatiently({ entity: 'contact', mode: 'FULL', pageSize: 100 });
    expect(page).toMatchObject({
      records: [],
      complete: false,
      nextCursor: null,
      failureCode: 'PROVIDER_UNAVAILABLE',
    });
    const again = await readPatiently({ entity: 'contact', mode: 'FULL', pageSize: 100 });
    expect(again.failureCode).toBeNull();
    expect(again.records.length).toBeGreaterThan(0);
  });

  it('reads contacts by our ids in one search a page, leaving out ids HubSpot does not hold', async () => {
    const seeded = await seed(3, Date.now() - 120 * DAY, DAY);
    const wanted = [seeded[2]!.contactId, 'not-in-hubspot', seeded[0]!.contactId];
    const { pages, records } = await reads.walk(
      { entity: 'contact', mode: 'IDS', ids: wanted },
      { patient: true },
    );
    expect(pages).toHaveLength(1);
    expect(records.map((r) => r.internalId).sort()).toEqual(
      [seeded[0]!.contactId, seeded[2]!.contactId].sort(),
    );
  });
});
