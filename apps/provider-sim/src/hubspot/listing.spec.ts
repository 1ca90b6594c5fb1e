import { bearer } from '../../test/support.js';
import { startProviderSim } from '../server.js';
import type { ProviderSim } from '../server.js';

interface Contact {
  id: string;
  properties: Record<string, string | null>;
  archived: boolean;
  archivedAt?: string;
}
interface ListAnswer {
  results: Contact[];
  paging?: { next: { after: string; link: string } };
}

let sim: ProviderSim;
beforeEach(async () => {
  sim = await startProviderSim({ hubspotRateLimitMax: 1_000_000 });
});
afterEach(() => sim.close());

async function upsert(ids: string[]): Promise<Contact[]> {
  const response = await fetch(`${sim.url}/crm/v3/objects/contacts/batch/upsert`, {
    method: 'POST',
    headers: { ...bearer, 'content-type': 'application/json' },
    body: JSON.stringify({
      inputs: ids.map((id) => ({
        idProperty: 'tributary_contact_id',
        id,
        properties: { email: `${id}@example.com` },
      })),
    }),
  });
  return ((await response.json()) as { results: Contact[] }).results;
}

const get = (path: string) => fetch(`${sim.url}/crm/v3/objects/contacts${path}`, { headers: bearer });
const archive = (id: string) =>
  fetch(`${sim.url}/crm/v3/objects/contacts/${id}`, { method: 'DELETE', headers: bearer });

async function list(query: string): Promise<ListAnswer> {
  const response = await get(`?${query}`);
  expect(response.status).toBe(200);
  return (await response.json()) as ListAnswer;
}

async function walk(query: string, between?: () => Promise<unknown>): Promise<Contact[]> {
  const seen: Contact[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await list(`${query}${after ? `&after=${after}` : ''}`);
    seen.push(...page.results);
    if (!page.paging) return seen;
    after = page.paging.next.after;
    await between?.();
  }
}

describe('provider-sim, HubSpot contacts list', () => {
  it('walks every contact once in id order, with the named properties', async () => {
    const made = await upsert(Array.from({ length: 11 }, (_, i) => `c-${i}`));
    const first = await list('limit=4&properties=email,tributary_contact_id');
    expect(first.paging?.next.after).toBe(made[4]!.id);
    expect(first.paging?.next.link).toContain(`after=${made[4]!.id}`);
    expect(first.results[0]!.properties).toEqual({
      email: 'c-0@example.com',
      tributary_contact_id: 'c-0',
      hs_object_id: made[0]!.id,
      createdate: expect.any(String),
      lastmodifieddate: expect.any(String),
    });
    let n = 0;
    const seen = await walk('limit=4', () => upsert([`during-${n++}`]));
    const ids = seen.map((contact) => contact.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.slice(0, 11)).toEqual(made.map((contact) => contact.id));
    // Ids grow with creation: contacts made during the walk come after, and it reaches them too.
    expect(ids).toHaveLength(11 + n);
  });

  it('refuses a limit over 100 and a malformed after with VALIDATION_ERROR', async () => {
    for (const query of ['limit=101', 'limit=0', 'after=abc', 'archived=maybe']) {
      const response = await get(`?${query}`);
      expect([query, response.status]).toEqual([query, 400]);
      expect(await response.json()).toMatchObject({ category: 'VALIDATION_ERROR' });
    }
    expect((await get('?limit=100')).status).toBe(200);
  });
});

describe('provider-sim, HubSpot archive', () => {
  it('archives with 204: gone from reads, lists and search; found with archived=true', async () => {
    const [kept, gone] = await upsert(['keep', 'gone']);
    const deleted = await archive(gone!.id);
    expect(deleted.status).toBe(204);
    expect(await deleted.text()).toBe('');

    const byId = await get(`/${gone!.id}`);
    expect(byId.status).toBe(404);
    expect(await byId.json()).toMatchObject({ category: 'OBJECT_NOT_FOUND' });
    expect((await get('/gone?idProperty=tributary_contact_id')).status).toBe(404);
    const binned = await get(`/${gone!.id}?archived=true`);
    expect(await binned.json()).toMatchObject({
      id: gone!.id,
      archived: true,
      archivedAt: expect.any(String),
    });

    expect((await list('')).results.map((contact) => contact.id)).toEqual([kept!.id]);
    const archived = await list('archived=true');
    expect(archived.results.map((contact) => [contact.id, contact.archived])).toEqual([[gone!.id, true]]);
    const searched = await fetch(`${sim.url}/crm/v3/objects/contacts/search`, {
      method: 'POST',
      headers: { ...bearer, 'content-type': 'application/json' },
      body: JSON.stringify({ limit: 10 }),
    });
    expect(((await searched.json()) as { total: number }).total).toBe(1);
  });

  it('archives once: again is a 204 without effect, an unknown id a 404; the unique value is free again', async () => {
    const [contact] = await upsert(['c-1']);
    await archive(contact!.id);
    expect((await archive(contact!.id)).status).toBe(204);
    expect((await archive('999999')).status).toBe(404);
    const archives = sim.ledger
      .snapshot()
      .entries.filter((entry) => entry.route === 'DELETE /crm/v3/objects/contacts/:id');
    expect(archives.reduce((sum, entry) => sum + entry.effects, 0)).toBe(1);
    const [again] = await upsert(['c-1']);
    expect(again!.id).not.toBe(contact!.id);
  });
});
