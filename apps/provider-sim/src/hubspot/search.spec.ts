import { admin, bearer } from '../../test/support.js';
import type { RateReport } from '../core/rates.js';
import { startProviderSim } from '../server.js';
import type { ProviderSim } from '../server.js';

const SEARCH = 'POST /crm/v3/objects/contacts/search';

interface Result {
  id: string;
  properties: Record<string, string | null>;
  archived: boolean;
}
interface SearchAnswer {
  total: number;
  results: Result[];
  paging?: { next: { after: string } };
}

let sim: ProviderSim;
afterEach(() => sim.close());

/** A simulator whose rate limits stay out of the way of tests about something else. */
const unlimited = () =>
  startProviderSim({ hubspotRateLimitMax: 1_000_000, hubspotSearchRateLimit: 1_000_000 });

async function upsert(ids: string[], properties: Record<string, string> = {}) {
  const response = await fetch(`${sim.url}/crm/v3/objects/contacts/batch/upsert`, {
    method: 'POST',
    headers: { ...bearer, 'content-type': 'application/json' },
    body: JSON.stringify({
      inputs: ids.map((id) => ({
        idProperty: 'tributary_contact_id',
        id,
        properties: { email: `${id}@example.com`, ...properties },
      })),
    }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { results: Result[] }).results;
}

function search(body: unknown, headers: Record<string, string> = bearer) {
  return fetch(`${sim.url}/crm/v3/objects/contacts/search`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function found(body: unknown): Promise<SearchAnswer> {
  const response = await search(body);
  expect(response.status).toBe(200);
  return (await response.json()) as SearchAnswer;
}

const byModified = (from = 0) => ({
  filterGroups: [{ filters: [{ propertyName: 'lastmodifieddate', operator: 'GTE', value: String(from) }] }],
  sorts: [{ propertyName: 'lastmodifieddate', direction: 'ASCENDING' }],
});

async function walk(body: object, limit: number, between?: () => Promise<unknown>): Promise<Result[]> {
  const seen: Result[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await found({ ...body, limit, ...(after ? { after } : {}) });
    seen.push(...page.results);
    if (!page.paging) return seen;
    after = page.paging.next.after;
    await between?.();
  }
}

describe('provider-sim, HubSpot contact search', () => {
  it('walks a lastmodifieddate window to the end, every contact once, in HubSpot’s answer shape', async () => {
    sim = await unlimited();
    const made = [
      ...(await upsert(['a', 'b', 'c'])),
      ...(await upsert(['d', 'e'])),
      ...(await upsert(['f'])),
    ];
    const first = await found({ ...byModified(), limit: 4, properties: ['email', 'tributary_contact_id'] });
    expect(first.total).toBe(6);
    expect(first.paging).toEqual({ next: { after: '4' } });
    expect(first.results[0]).toEqual({
      id: made[0]!.id,
      properties: {
        email: 'a@example.com',
        tributary_contact_id: 'a',
        hs_object_id: made[0]!.id,
        createdate: expect.any(String),
        lastmodifieddate: expect.any(String),
      },
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      archived: false,
    });
    const seen = await walk(byModified(), 4);
    expect(seen.map((result) => result.id)).toEqual(made.map((contact) => contact.id));
    const defaults = await found({ limit: 1 });
    expect(Object.keys(defaults.results[0]!.properties).sort()).toEqual(
      ['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname'].sort(),
    );
    expect(defaults.results[0]!.properties.firstname).toBeNull();
  });

  it('still gives every older contact once when contacts are created between pages', async () => {
    sim = await unlimited();
    const before = await upsert(Array.from({ length: 9 }, (_, i) => `old-${i}`));
    let n = 0;
    const seen = await walk(byModified(), 2, () => upsert([`new-${n++}`]));
    const ids = seen.map((result) => result.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => before.some((contact) => contact.id === id))).toEqual(
      before.map((contact) => contact.id),
    );
  });

  it('filters with AND inside a group and OR across groups, on ids, values and presence', async () => {
    sim = await unlimited();
    const [a, b, c] = await upsert(['a', 'b', 'c']);
    await upsert(['d'], { lifecyclestage: 'customer' });
    const ids = async (body: object) => (await found({ limit: 100, ...body })).results.map((r) => r.id);
    const filter = (propertyName: string, operator: string, value?: string) => ({
      propertyName,
      operator,
      ...(value === undefined ? {} : { value }),
    });
    expect(await ids({ filterGroups: [{ filters: [filter('tributary_contact_id', 'EQ', 'b')] }] })).toEqual([
      b!.id,
    ]);
    expect(
      await ids({ filterGroups: [{ filters: [filter('lifecyclestage', 'HAS_PROPERTY')] }] }),
    ).toHaveLength(1);
    expect(
      await ids({
        filterGroups: [
          {
            filters: [
              filter('hs_object_id', 'GT', a!.id),
              filter('hs_object_id', 'LT', String(Number(c!.id) + 1)),
            ],
          },
          { filters: [filter('email', 'EQ', 'A@EXAMPLE.COM')] },
        ],
        sorts: [{ propertyName: 'hs_object_id', direction: 'DESCENDING' }],
      }),
    ).toEqual([c!.id, b!.id, a!.id]);
  });

  it('refuses a limit over 200 and malformed bodies with VALIDATION_ERROR', async () => {
    sim = await unlimited();
    await upsert(['a']);
    expect((await search({ limit: 200 })).status).toBe(200);
    for (const body of [
      { limit: 201 },
      { filterGroups: [{ filters: [{ propertyName: 'x', operator: 'LIKE', value: '1' }] }] },
      { filterGroups: [{ filters: [{ propertyName: 'lastmodifieddate', operator: 'GTE', value: 'soon' }] }] },
      { sorts: [{ propertyName: 'a', direction: 'UP' }] },
    ]) {
      const response = await search(body);
      expect([JSON.stringify(body), response.status]).toEqual([JSON.stringify(body), 400]);
      expect(await response.json()).toMatchObject({ status: 'error', category: 'VALIDATION_ERROR' });
    }
  });

  it('answers 400 for after ≥ 10,000; restarting from the last lastmodifieddate seen reaches every contact', async () => {
    sim = await unlimited();
    const all: string[] = [];
    for (let batch = 0; batch < 102; batch++) {
      const made = await upsert(Array.from({ length: 100 }, (_, i) => `c-${batch}-${i}`));
      all.push(...made.map((contact) => contact.id));
    }
    const near = await found({ ...byModified(), limit: 200, after: '9900' });
    expect(near.results).toHaveLength(100);
    expect(near.paging).toEqual({ next: { after: '10000' } });
    const capped = await search({ ...byModified(), limit: 200, after: '10000' });
    expect(capped.status).toBe(400);
    expect(await capped.json()).toMatchObject({ status: 'error', category: 'VALIDATION_ERROR' });

    const seen = new Set<string>();
    let from = 0;
    let lastSeen = 0;
    let restarts = 0;
    let after: string | undefined;
    for (;;) {
      const response = await search({ ...byModified(from), limit: 200, ...(after ? { after } : {}) });
      if (response.status === 400) {
        // A new window from the last instant seen; the ids seen at that instant come again, once more.
        restarts += 1;
        from = lastSeen;
        after = undefined;
        continue;
      }
      const page = (await response.json()) as SearchAnswer;
      for (const result of page.results) {
        seen.add(result.id);
        lastSeen = Date.parse(result.properties.lastmodifieddate!);
      }
      if (!page.paging) break;
      after = page.paging.next.after;
    }
    expect(restarts).toBeGreaterThanOrEqual(1);
    expect([...seen].sort()).toEqual([...all].sort());
  });

  it('limits searches per token per second with HubSpot’s secondly 429, on top of the ten-second window', async () => {
    sim = await startProviderSim({ hubspotSearchRateLimit: 3 });
    const answers = [];
    for (let i = 0; i < 10; i++) answers.push(await search({ limit: 1 }));
    const other = await search({ limit: 1 }, { authorization: 'Bearer another-token' });
    expect(answers.slice(0, 3).map((answer) => answer.status)).toEqual([200, 200, 200]);
    const limited = answers.filter((answer) => answer.status === 429);
    // Ten back-to-back searches cannot all fall in different seconds at three per second.
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0]!.headers.get('retry-after')).toBe('1');
    expect(await limited[0]!.json()).toMatchObject({ category: 'RATE_LIMITS', policyName: 'SECONDLY' });
    expect(other.status).toBe(200);
    const report = await admin<RateReport>(
      sim.url,
      `/rate?provider=hubspot&route=${encodeURIComponent(SEARCH)}`,
    );
    expect(report.requests).toBe(11);
    expect(sim.ledger.snapshot().throttled[SEARCH]).toBe(limited.length);
  });
});
