import { admin, bearer } from '../../test/support.js';
import { startProviderSim } from '../server.js';
import type { ProviderSim } from '../server.js';

const READ = 'GET /v1/payment_intents/:id';

let sim: ProviderSim;
let intentId: string;
beforeEach(async () => {
  sim = await startProviderSim();
  const created = await fetch(`${sim.url}/v1/payment_intents`, {
    method: 'POST',
    headers: bearer,
    body: 'amount=100&currency=eur&confirm=true',
  });
  intentId = ((await created.json()) as { id: string }).id;
});
afterEach(() => sim.close());

const read = () => fetch(`${sim.url}/v1/payment_intents/${intentId}`, { headers: bearer });

describe('provider-sim, faults on reads', () => {
  it('lets afterRequests pass N requests of the route, then strikes `times` times', async () => {
    await admin(sim.url, '/faults', {
      route: READ,
      status429Rate: 1,
      retryAfterSeconds: 2,
      afterRequests: 3,
      times: 1,
    });
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await read()).status);
    expect(statuses).toEqual([200, 200, 200, 429, 200]);
    expect(await admin(sim.url, '/faults')).toEqual([]);
  });

  it('shows the requests still to pass while a fault is dormant', async () => {
    await admin(sim.url, '/faults', { route: READ, errorRate: 1, afterRequests: 2 });
    await read();
    expect(await admin(sim.url, '/faults')).toMatchObject([{ route: READ, afterRequests: 1 }]);
    expect((await read()).status).toBe(200);
    expect((await read()).status).toBe(500);
  });

  it('counts only requests that reach the fault: a refused token does not use up afterRequests', async () => {
    await admin(sim.url, '/faults', { route: READ, errorRate: 1, afterRequests: 1 });
    expect((await fetch(`${sim.url}/v1/payment_intents/${intentId}`)).status).toBe(401);
    expect((await read()).status).toBe(200);
    expect((await read()).status).toBe(500);
  });

  it('truncates an answer: a 200 with the full Content-Length, half the body, then a closed connection', async () => {
    await admin(sim.url, '/faults', { route: READ, truncate: true, times: 1 });
    const cut = await read();
    expect(cut.status).toBe(200);
    expect(Number(cut.headers.get('content-length'))).toBeGreaterThan(0);
    await expect(cut.text()).rejects.toThrow();
    const whole = await read();
    expect(await whole.json()).toMatchObject({ id: intentId });
  });

  it('cuts the connection of a read on a reset fault', async () => {
    await admin(sim.url, '/faults', { route: READ, resetRate: 1, times: 1 });
    await expect(read()).rejects.toThrow();
    expect((await read()).status).toBe(200);
  });

  it('never answers a read on a timeout fault', async () => {
    await admin(sim.url, '/faults', { route: READ, timeoutRate: 1, times: 1 });
    await expect(
      fetch(`${sim.url}/v1/payment_intents/${intentId}`, {
        headers: bearer,
        signal: AbortSignal.timeout(200),
      }),
    ).rejects.toThrow();
    expect((await read()).status).toBe(200);
  });

  it('applies afterRequests to effect routes too, counting well-formed requests', async () => {
    const create = 'POST /v1/payment_intents';
    await admin(sim.url, '/faults', { route: create, errorRate: 1, afterRequests: 1, times: 1 });
    const post = () =>
      fetch(`${sim.url}/v1/payment_intents`, {
        method: 'POST',
        headers: bearer,
        body: 'amount=1&currency=eur',
      });
    expect([(await post()).status, (await post()).status, (await post()).status]).toEqual([200, 500, 200]);
  });
});
