import { admin, bearer } from '../../test/support.js';
import { startProviderSim } from '../server.js';
import type { ProviderSim } from '../server.js';

const UPSERT = 'POST /crm/v3/objects/contacts/batch/upsert';

let sim: ProviderSim;
beforeEach(async () => {
  sim = await startProviderSim({ hubspotRateLimitMax: 5 });
});
afterEach(() => sim.close());

interface UpsertResponse {
  status: string;
  results: {
    id: string;
    new: boolean;
    properties: Record<string, string>;
    objectWriteTraceId?: string;
  }[];
}

function upsert(inputs: unknown[], headers: Record<string, string> = bearer) {
  return fetch(`${sim.url}/crm/v3/objects/contacts/batch/upsert`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ inputs }),
  });
}

const contact = (id: string, trace: string, properties: Record<string, string> = {}) => ({
  idProperty: 'tributary_contact_id',
  id,
  objectWriteTraceId: trace,
  properties: { email: `${id}@example.com`, lifecyclestage: 'customer', ...properties },
});

function entry(key: string) {
  return sim.ledger.snapshot().entries.find((e) => e.route === UPSERT && e.idempotencyKey === key);
}

describe('provider-sim, HubSpot contacts', () => {
  it('creates a contact on the first upsert and counts an identical re-upsert as no effect', async () => {
    const first = await upsert([contact('c-1', 'trace-1')]);
    expect(first.status).toBe(200);
    const created = (await first.json()) as UpsertResponse;
    expect(created).toMatchObject({
      status: 'COMPLETE',
      results: [
        {
          new: true,
          objectWriteTraceId: 'trace-1',
          properties: { tributary_contact_id: 'c-1', email: 'c-1@example.com', lifecyclestage: 'customer' },
        },
      ],
    });
    const id = created.results[0]!.id;
    expect(id).toMatch(/^\d+$/);
    expect(created.results[0]!.properties).toMatchObject({ hs_object_id: id });

    const again = (await (await upsert([contact('c-1', 'trace-1')])).json()) as UpsertResponse;
    expect(again.results[0]).toMatchObject({ id, new: false });
    expect(entry('trace-1')).toEqual({
      idempotencyKey: 'trace-1',
      route: UPSERT,
      requests: 2,
      effects: 1,
      objectId: id,
    });

    const changed = (await (
      await upsert([contact('c-1', 'trace-2', { lifecyclestage: 'evangelist' })])
    ).json()) as UpsertResponse;
    expect(changed.results[0]).toMatchObject({
      id,
      new: false,
      properties: { lifecyclestage: 'evangelist' },
    });
    expect(entry('trace-2')).toMatchObject({ requests: 1, effects: 1 });
  });

  it('reads a contact by its unique property, or answers OBJECT_NOT_FOUND', async () => {
    await upsert([contact('c-2', 'trace-read')]);
    const got = await fetch(`${sim.url}/crm/v3/objects/contacts/c-2?idProperty=tributary_contact_id`, {
      headers: bearer,
    });
    expect(got.status).toBe(200);
    expect(await got.json()).toMatchObject({ archived: false, properties: { tributary_contact_id: 'c-2' } });

    const missing = await fetch(`${sim.url}/crm/v3/objects/contacts/nobody?idProperty=tributary_contact_id`, {
      headers: bearer,
    });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ status: 'error', category: 'OBJECT_NOT_FOUND' });
  });

  it('refuses a missing token and invalid batches in HubSpot error shape', async () => {
    const anonymous = await upsert([contact('c-3', 't')], {});
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({
      status: 'error',
      category: 'INVALID_AUTHENTICATION',
      correlationId: expect.any(String),
    });
    const empty = await upsert([]);
    expect(empty.status).toBe(400);
    expect(await empty.json()).toMatchObject({ category: 'VALIDATION_ERROR' });
    const duplicate = await upsert([contact('c-3', 't1'), contact('c-3', 't2')]);
    expect(duplicate.status).toBe(400);
    expect(await duplicate.json()).toMatchObject({ category: 'VALIDATION_ERROR' });
    expect(sim.ledger.snapshot().entries.filter((e) => e.effects > 0)).toEqual([]);
  });

  it('carries the rate-limit headers on every answer and enforces the ten-second window', async () => {
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await upsert([contact(`w-${i}`, `trace-w-${i}`)]));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 429]);
    expect(answers.map((a) => a.headers.get('x-hubspot-ratelimit-remaining'))).toEqual([
      '4',
      '3',
      '2',
      '1',
      '0',
      '0',
    ]);
    for (const answer of answers) {
      expect(answer.headers.get('x-hubspot-ratelimit-max')).toBe('5');
      expect(answer.headers.get('x-hubspot-ratelimit-interval-milliseconds')).toBe('10000');
    }
    const limited = answers[5]!;
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await limited.json()).toMatchObject({
      category: 'RATE_LIMITS',
      policyName: 'TEN_SECONDLY_ROLLING',
    });
    expect(sim.ledger.snapshot().throttled[UPSERT]).toBe(1);

    // A 401 carries them too.
    const anonymous = await upsert([contact('x', 'x')], {});
    expect(anonymous.headers.get('x-hubspot-ratelimit-max')).toBe('5');
  });

  it('follows the benchmark throttle when one is set, headers included', async () => {
    await admin(sim.url, '/throttle', { route: UPSERT, requestsPerSecond: 1, burst: 1 });
    const first = await upsert([contact('t-1', 'trace-t-1')]);
    const second = await upsert([contact('t-2', 'trace-t-2')]);
    expect([first.status, second.status]).toEqual([200, 429]);
    expect(second.headers.get('x-hubspot-ratelimit-max')).toBe('10');
    expect(second.headers.get('retry-after')).toBe('1');
    expect(sim.ledger.snapshot().throttled[UPSERT]).toBe(1);
  });

  it('faults the inputs of one objectWriteTraceId before the effect', async () => {
    await admin(sim.url, '/faults', {
      route: UPSERT,
      idempotencyKey: 'trace-f',
      errorRate: 1,
      errorStatus: 503,
      times: 1,
    });
    const failed = await upsert([contact('f-1', 'trace-f')]);
    expect(failed.status).toBe(503);
    expect(entry('trace-f')).toMatchObject({ requests: 1, effects: 0 });
    expect((await upsert([contact('f-1', 'trace-f')])).status).toBe(200);
    expect(entry('trace-f')).toMatchObject({ requests: 2, effects: 1 });
  });
});
