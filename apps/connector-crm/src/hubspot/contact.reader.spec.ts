import { encodeCursor } from '@tributary/connector-sdk';
import type { ReadRequest, ReaderContext } from '@tributary/connector-sdk';
import { createLogger } from '@tributary/observability';
import { contactFields, contactReader } from './contact.reader.js';
import type { ContactReaderConfig } from './contact.reader.js';
import type { ContactPage, ContactSearch, HubSpotClient, HubSpotContact } from './hubspot.client.js';

const config: ContactReaderConfig = { HUBSPOT_MARKETING_CONSENT_PROPERTY: 'consent' };

/** HubSpot's search over `contacts`: GTE/LTE on lastmodifieddate, ascending, ties by id, offsets capped. */
function searchOver(contacts: HubSpotContact[]) {
  const searches: ContactSearch[] = [];
  const client = {
    async searchContacts(search: ContactSearch): Promise<ContactPage> {
      searches.push(search);
      const after = Number(search.after ?? 0);
      if (after >= 10_000) throw new Error('HubSpot refuses after >= 10000');
      const bound = (op: string) =>
        Number(search.filterGroups[0]!.filters.find((f) => f.operator === op)?.value);
      const matching = contacts
        .filter((c) => {
          const at = Number(c.properties.lastmodifieddate);
          return at >= bound('GTE') && at <= bound('LTE');
        })
        .sort(
          (a, b) =>
            Number(a.properties.lastmodifieddate) - Number(b.properties.lastmodifieddate) ||
            Number(a.id) - Number(b.id),
        );
      const results = matching.slice(after, after + search.limit);
      const next = after + results.length;
      return { results, ...(next < matching.length ? { paging: { next: { after: String(next) } } } : {}) };
    },
  };
  return { client: client as unknown as HubSpotClient, searches };
}

const contact = (id: number, at: number): HubSpotContact => ({
  id: String(id),
  properties: { lastmodifieddate: String(at), tributary_contact_id: `c-${id}` },
  createdAt: new Date(at).toISOString(),
  updatedAt: new Date(at).toISOString(),
});

function context(client: HubSpotClient): ReaderContext<HubSpotClient, ContactReaderConfig> {
  return {
    connectorId: 'crm',
    provider: client,
    config,
    externalRefs: {
      find: async () => null,
      findMany: async () => new Map(),
      findByInternalId: async () => [],
    },
    logger: createLogger({ service: 'test', level: 'silent' }),
    signal: new AbortController().signal,
    heartbeat: async () => undefined,
  };
}

const incremental = (cursor: string | null, pageSize = 200): ReadRequest => ({
  runId: 'run',
  pageNo: 1,
  entity: 'contact',
  mode: 'INCREMENTAL',
  cursor,
  changedFrom: 0,
  changedTo: 10_000_000,
  ids: [],
  pageSize,
});

async function walk(client: HubSpotClient, pageSize = 200) {
  const seen: string[] = [];
  let cursor: string | null = null;
  for (;;) {
    const page = await contactReader(incremental(cursor, pageSize), context(client));
    seen.push(...page.records.map((r) => r.externalId));
    if (page.complete) return seen;
    cursor = page.nextCursor;
  }
}

describe('contact reader: incremental paging', () => {
  it('starts every page again from the last version it answered, so no search goes deep', async () => {
    const { client, searches } = searchOver(
      Array.from({ length: 1_000 }, (_, i) => contact(i + 1, 1_000 + i)),
    );
    const seen = await walk(client);
    expect(seen).toHaveLength(1_000);
    expect(new Set(seen).size).toBe(1_000);
    expect(searches.every((search) => search.after === undefined)).toBe(true);
    expect(searches.length).toBeGreaterThanOrEqual(5);
  });

  it('pages through a run of equal versions longer than a page by offset, each contact once', async () => {
    const contacts = [
      ...Array.from({ length: 450 }, (_, i) => contact(i + 1, 5_000)),
      ...Array.from({ length: 30 }, (_, i) => contact(1_000 + i, 6_000 + i)),
    ];
    const { client, searches } = searchOver(contacts);
    const seen = await walk(client);
    expect(seen).toEqual(contacts.map((c) => c.id));
    // From the run's start (its first 200 read again and left out), then by offset to its end and beyond.
    expect(searches.map((search) => search.after)).toStrictEqual([undefined, undefined, '200', '400']);
  });

  it('fails with a stable code when one millisecond holds more contacts than a search can reach', async () => {
    const { client } = searchOver(Array.from({ length: 10_100 }, (_, i) => contact(i + 1, 7_000)));
    await expect(walk(client)).rejects.toMatchObject({
      code: 'HUBSPOT_SEARCH_TIES_EXCEED_CAP',
      retriable: false,
    });
  });

  it('refuses a cursor it did not write', async () => {
    const { client } = searchOver([]);
    await expect(
      contactReader(
        incremental(encodeCursor({ mode: 'FULL', archived: false, after: null })),
        context(client),
      ),
    ).rejects.toMatchObject({ code: 'RECONCILIATION_CURSOR_INVALID' });
  });
});

describe('contact fields', () => {
  it('are what crm.contact.upserted states: trimmed, empty as null, consent as "true"/"false"', () => {
    expect(
      contactFields(
        {
          properties: {
            email: ' a@example.com ',
            firstname: '',
            lastname: 'Lovelace',
            phone: null,
            consent: 'yes',
            lifecyclestage: 'lead',
            tributary_last_paid_order_id: 'o-1',
          },
        },
        config,
      ),
    ).toEqual({
      email: 'a@example.com',
      givenName: null,
      familyName: 'Lovelace',
      phone: null,
      marketingConsent: 'true',
      lifecycleStage: 'lead',
      lastPaidOrderId: 'o-1',
    });
    expect(contactFields({ properties: {} }, config).marketingConsent).toBe('false');
  });

  it('read a stage past customer as customer: the platform states only that the contact paid', () => {
    const stage = (lifecyclestage: string) =>
      contactFields({ properties: { lifecyclestage } }, config).lifecycleStage;
    expect([stage('evangelist'), stage('customer'), stage('opportunity'), stage('')]).toEqual([
      'customer',
      'customer',
      'opportunity',
      null,
    ]);
  });
});
