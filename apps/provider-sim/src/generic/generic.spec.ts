import { bearer } from '../../test/support.js';
import { startProviderSim } from '../server.js';
import type { ProviderSim } from '../server.js';

let sim: ProviderSim;
beforeEach(async () => {
  sim = await startProviderSim();
});
afterEach(() => sim.close());

function effect(body: string, key?: string, headers: Record<string, string> = bearer) {
  return fetch(`${sim.url}/v1/effects`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
    body,
  });
}

describe('provider-sim, generic effects', () => {
  it('applies an effect once per Idempotency-Key and echoes the body', async () => {
    const first = await effect(JSON.stringify({ order: 'o-1', amount: 3 }), 'g-1');
    expect(first.status).toBe(200);
    const body = (await first.json()) as { id: string };
    expect(body).toMatchObject({
      id: expect.stringMatching(/^eff_/),
      object: 'effect',
      idempotency_key: 'g-1',
      received: { order: 'o-1', amount: 3 },
    });
    // Same parameters in another key order: still a replay.
    const replay = await effect(JSON.stringify({ amount: 3, order: 'o-1' }), 'g-1');
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await replay.json()).toEqual(body);
    const reused = await effect(JSON.stringify({ order: 'o-2' }), 'g-1');
    expect(reused.status).toBe(400);
    expect(await reused.json()).toMatchObject({ error: { code: 'idempotency_mismatch' } });
    expect(sim.ledger.snapshot().entries).toEqual([
      { idempotencyKey: 'g-1', route: 'POST /v1/effects', requests: 3, effects: 1, objectId: body.id },
    ]);
    const got = await fetch(`${sim.url}/v1/effects/${body.id}`, { headers: bearer });
    expect(await got.json()).toEqual(body);
  });

  it('refuses a missing token and a body that is not JSON', async () => {
    expect((await effect('{}', 'g-2', {})).status).toBe(401);
    const invalid = await effect('not json', 'g-2');
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({ error: { code: 'invalid_request' } });
  });

  it('applies the effect and loses the answer on a timeout fault; the retry gets the stored answer', async () => {
    await fetch(`${sim.url}/__admin/faults`, {
      method: 'POST',
      body: JSON.stringify({ route: 'POST /v1/effects', idempotencyKey: 'g-3', timeoutRate: 1, times: 1 }),
    });
    await expect(
      fetch(`${sim.url}/v1/effects`, {
        method: 'POST',
        headers: { ...bearer, 'idempotency-key': 'g-3' },
        body: '{"a":1}',
        signal: AbortSignal.timeout(200),
      }),
    ).rejects.toThrow();
    const retry = await effect('{"a":1}', 'g-3');
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(sim.ledger.snapshot().entries[0]).toMatchObject({ requests: 2, effects: 1 });
  });
});
