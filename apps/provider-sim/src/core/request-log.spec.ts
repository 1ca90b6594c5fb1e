import { bearer } from '../../test/support.js';
import { startProviderSim } from '../server.js';
import type { ProviderSim } from '../server.js';
import { RequestLog } from './request-log.js';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('provider-sim request log (GET /__admin/requests)', () => {
  let sim: ProviderSim;
  beforeEach(async () => {
    sim = await startProviderSim();
  });
  afterEach(() => sim.close());

  const admin = async (path: string, method = 'GET') =>
    (await fetch(`${sim.url}${path}`, { method })).json() as Promise<Array<Record<string, unknown>>>;

  it('lists each provider request with the traceparent it carried, by route, until cleared or reset', async () => {
    await fetch(`${sim.url}/v1/effects`, {
      method: 'POST',
      headers: {
        ...bearer,
        'content-type': 'application/json',
        'idempotency-key': 'k-1',
        traceparent: TRACEPARENT,
      },
      body: '{}',
    });
    await fetch(`${sim.url}/v1/effects/eff_missing`, { headers: bearer });
    await fetch(`${sim.url}/__admin/ledger`);

    const all = await admin('/__admin/requests');
    expect(all).toEqual([
      { at: expect.any(String), provider: 'generic', route: 'POST /v1/effects', traceparent: TRACEPARENT },
      { at: expect.any(String), provider: 'generic', route: 'GET /v1/effects/:id', traceparent: null },
    ]);
    expect(await admin(`/__admin/requests?route=${encodeURIComponent('POST /v1/effects')}`)).toEqual([
      all[0],
    ]);
    expect(await admin('/__admin/requests', 'DELETE')).toEqual([]);
    expect(await admin('/__admin/requests')).toEqual([]);

    await fetch(`${sim.url}/v1/effects/eff_missing`, { headers: bearer });
    await fetch(`${sim.url}/__admin/reset`, { method: 'POST' });
    expect(await admin('/__admin/requests')).toEqual([]);
  });
});

describe('RequestLog', () => {
  it('keeps the newest requests within its bound', () => {
    const log = new RequestLog(10);
    for (let n = 0; n < 25; n += 1) log.record('generic', `GET /r/${n}`, undefined);
    const routes = log.list().map((entry) => entry.route);
    expect(routes.length).toBeLessThanOrEqual(10);
    expect(routes.at(-1)).toBe('GET /r/24');
    expect(routes).toEqual([...routes].sort((a, b) => Number(a.split('/')[2]) - Number(b.split('/')[2])));
  });
});
