import { admin, bearer } from '../../test/support.js';
import { startProviderSim } from '../server.js';
import { busiest, RateObserver } from './rates.js';
import type { RateReport } from './rates.js';

describe('observed request rates', () => {
  it('finds the busiest sliding window, not only the busiest calendar second', () => {
    // Three at the end of one second and three at the start of the next: six within 200 ms.
    expect(busiest([900, 950, 990, 1000, 1010, 1100], 1_000)).toBe(6);
    expect(busiest([0, 999, 1999], 1_000)).toBe(2);
    expect(busiest([0, 1000, 2000], 1_000)).toBe(1);
    expect(busiest([], 1_000)).toBe(0);
  });

  it('reports per provider and per route, with a per-second histogram, until reset', () => {
    let now = 10_000;
    const rates = new RateObserver(() => now);
    for (const at of [10_100, 10_200, 10_300, 11_050, 19_500, 20_400]) {
      now = at;
      rates.record('hubspot', at === 11_050 ? 'POST /search' : 'GET /x');
    }
    rates.record('stripe', 'GET /y');
    const report = rates.report('hubspot');
    expect(report).toMatchObject({
      provider: 'hubspot',
      route: null,
      requests: 6,
      maxIn1s: 4,
      maxIn10s: 5,
      routes: { 'GET /x': 5, 'POST /search': 1 },
    });
    expect(report.histogram.map((bucket) => bucket.requests)).toEqual([3, 1, 1, 1]);
    expect(report.histogram[0]!.second).toBe(new Date(10_000).toISOString());
    expect(rates.report('hubspot', 'POST /search')).toMatchObject({ requests: 1, maxIn1s: 1 });
    rates.reset();
    expect(rates.report('hubspot')).toMatchObject({ requests: 0, maxIn1s: 0, histogram: [] });
  });

  it('counts every request a provider route receives over HTTP, 429s and 401s included', async () => {
    const sim = await startProviderSim({ hubspotRateLimitMax: 2 });
    try {
      const get = (headers: Record<string, string>) =>
        fetch(`${sim.url}/crm/v3/objects/contacts/1`, { headers });
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await get(bearer)).status);
      statuses.push((await get({})).status);
      expect(statuses).toEqual([404, 404, 429, 429]);
      const report = await admin<RateReport>(sim.url, '/rate?provider=hubspot');
      expect(report).toMatchObject({ requests: 4, routes: { 'GET /crm/v3/objects/contacts/:id': 4 } });
      expect(report.maxIn10s).toBe(4);
      expect(report.histogram.reduce((sum, bucket) => sum + bucket.requests, 0)).toBe(4);
      await admin(sim.url, '/rate', undefined, 'DELETE');
      expect(await admin<RateReport>(sim.url, '/rate?provider=hubspot')).toMatchObject({ requests: 0 });
      await expect(admin(sim.url, '/rate?provider=nobody')).rejects.toThrow(/400/);
    } finally {
      await sim.close();
    }
  });
});
