import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { registry } from '@tributary/observability';
import { VirtualClock, waitFor } from '@tributary/testkit';
import { ConnectorErrorCode, ProviderError } from '../errors.js';
import { ProviderHttpClient } from './provider-http-client.js';
import type { ProviderHttpClientOptions } from './provider-http-client.js';
import { withRequestPriority } from './request-priority.js';

type Reply = (req: IncomingMessage, res: ServerResponse, n: number) => void;

/** A real HTTP server on an ephemeral port whose behaviour each test scripts, request by request. */
async function provider(reply: Reply): Promise<{ url: string; requests: IncomingMessage[]; server: Server }> {
  const requests: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    requests.push(req);
    req.resume();
    req.on('end', () => reply(req, res, requests.length));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, server };
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

const servers: Server[] = [];
const clients: ProviderHttpClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
});

/** A client of a scripted provider, on a virtual clock: its waits take no real time and are recorded. */
async function setup(reply: Reply, options: Partial<ProviderHttpClientOptions> = {}) {
  const p = await provider(reply);
  servers.push(p.server);
  const clock = new VirtualClock();
  const client = new ProviderHttpClient({
    provider: `test-${Math.random().toString(36).slice(2, 8)}`,
    baseUrl: `${p.url}/api`,
    retry: { maxRetries: 3, initialDelayMs: 5, maxDelayMs: 20, budgetMs: 2_000 },
    clock,
    ...options,
  });
  clients.push(client);
  return { ...p, client, clock };
}

const create = { method: 'POST', path: '/things', operation: 'things.create', form: { a: '1' } } as const;

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ProviderError);
    return error as ProviderError;
  }
  throw new Error('expected the call to fail');
}

describe('ProviderHttpClient', () => {
  it('sends the idempotency key and form body under the base path and parses JSON', async () => {
    const { client, requests } = await setup((_req, res) => json(res, 200, { id: 'th_1' }));
    const response = await client.request({ ...create, idempotencyKey: 'key-1' });
    expect(response.body).toEqual({ id: 'th_1' });
    expect(requests[0]!.url).toBe('/api/things');
    expect(requests[0]!.headers['idempotency-key']).toBe('key-1');
    expect(requests[0]!.headers['content-type']).toBe('application/x-www-form-urlencoded');
  });

  it('refuses an effectful call without an idempotency key before sending it', async () => {
    const { client, requests } = await setup((_req, res) => json(res, 200, {}));
    const error = await failure(client.request(create));
    expect(error.code).toBe(ConnectorErrorCode.idempotencyKeyMissing);
    expect(error.retriable).toBe(false);
    expect(requests).toHaveLength(0);
  });

  it('sends a read-only POST (a search) without a key', async () => {
    const { client, requests } = await setup((_req, res) => json(res, 200, { results: [] }));
    await client.request({
      method: 'POST',
      path: '/search',
      operation: 'things.search',
      json: {},
      readOnly: true,
    });
    expect(requests).toHaveLength(1);
    expect(requests[0]!.headers['idempotency-key']).toBeUndefined();
  });

  it('retries 5xx with the same key until it succeeds, backing off with full jitter', async () => {
    const { client, clock, requests } = await setup((_req, res, n) =>
      n < 3 ? json(res, 503, { error: 'down' }) : json(res, 200, { ok: true }),
    );
    await expect(client.request({ ...create, idempotencyKey: 'k' })).resolves.toMatchObject({ status: 200 });
    expect(requests.map((r) => r.headers['idempotency-key'])).toEqual(['k', 'k', 'k']);
    // Below initialDelayMs · 2^retry: 5, then 10.
    expect(clock.sleeps).toHaveLength(2);
    expect(clock.sleeps[0]).toBeLessThan(5);
    expect(clock.sleeps[1]).toBeLessThan(10);
  });

  it('gives up after the retries with a retriable PROVIDER_UNAVAILABLE', async () => {
    const { client, clock, requests } = await setup((_req, res) => json(res, 500, {}), {
      retry: { maxRetries: 2, initialDelayMs: 1, maxDelayMs: 5, budgetMs: 2_000 },
    });
    const error = await failure(client.request({ ...create, idempotencyKey: 'k' }));
    expect(error).toMatchObject({
      code: ConnectorErrorCode.providerUnavailable,
      retriable: true,
      status: 500,
    });
    expect(requests).toHaveLength(3);
    expect(clock.sleeps).toHaveLength(2);
  });

  it('starts no retry once the budget is spent', async () => {
    const { client, clock, requests } = await setup((_req, res) => json(res, 503, {}), {
      retry: { maxRetries: 50, initialDelayMs: 400, maxDelayMs: 400, budgetMs: 1_000 },
      breaker: { consecutiveFailures: 1_000 },
    });
    const started = clock.now();
    await failure(client.request({ ...create, idempotencyKey: 'k' }));
    // Fifty backoffs of up to 400 ms do not fit in 1 s: the last one is cut to end at the deadline, and no
    // attempt follows it.
    expect(clock.now() - started).toBe(1_000);
    expect(requests).toHaveLength(clock.sleeps.length + 1);
    expect(requests.length).toBeLessThan(51);
  });

  it('times out a slow answer and retries it', async () => {
    const { client, requests } = await setup(
      (_req, res, n) => {
        if (n === 1) return; // never answers
        json(res, 200, { ok: true });
      },
      { timeoutMs: 100 },
    );
    await expect(client.request({ ...create, idempotencyKey: 'k' })).resolves.toMatchObject({ status: 200 });
    expect(requests).toHaveLength(2);
  });

  it('treats other 4xx as not retriable and keeps the body', async () => {
    const { client, requests } = await setup((_req, res) =>
      json(res, 402, { error: { code: 'card_declined' } }),
    );
    const error = await failure(client.request({ ...create, idempotencyKey: 'k' }));
    expect(error).toMatchObject({ code: ConnectorErrorCode.providerRejected, retriable: false, status: 402 });
    expect(error.body).toEqual({ error: { code: 'card_declined' } });
    expect(requests).toHaveLength(1);
  });

  it('turns 429 into a rate-limit error with Retry-After, and holds later calls without sending them', async () => {
    const { client, requests } = await setup((_req, res) => json(res, 429, {}, { 'retry-after': '7' }));
    const first = await failure(client.request({ ...create, idempotencyKey: 'k' }));
    expect(first).toMatchObject({
      code: ConnectorErrorCode.providerRateLimited,
      retriable: true,
      retryAfterMs: 7_000,
    });
    const second = await failure(client.request({ ...create, idempotencyKey: 'k2' }));
    expect(second.code).toBe(ConnectorErrorCode.providerRateLimited);
    expect(second.retryAfterMs).toBe(7_000);
    expect(requests).toHaveLength(1);
  });

  it('paces the calls after a short Retry-After instead of holding them all; the refused one still waits it', async () => {
    const { client, clock, requests } = await setup((_req, res, n) =>
      n === 21 ? json(res, 429, {}, { 'retry-after': '1' }) : json(res, 200, {}),
    );
    for (let i = 0; i < 20; i++) await client.request({ method: 'GET', path: '/x', operation: 'x.get' });
    expect(client.pacingRate).toBe(Number.POSITIVE_INFINITY);
    const refused = await failure(client.request({ method: 'GET', path: '/x', operation: 'x.get' }));
    expect(refused).toMatchObject({ code: ConnectorErrorCode.providerRateLimited, retryAfterMs: 1_000 });
    // Paced a bit below what was getting through, not stopped for a second.
    expect(client.pacingRate).toBeGreaterThan(1);
    expect(client.pacingRate).toBeLessThan(Number.POSITIVE_INFINITY);
    const started = clock.now();
    await client.request({ method: 'GET', path: '/x', operation: 'x.get' });
    // One slot at the paced rate, not the second the provider asked of the refused call.
    expect(clock.sleeps).toEqual([Math.ceil(1_000 / client.pacingRate)]);
    expect(clock.now() - started).toBeLessThan(500);
    expect(requests).toHaveLength(22);
    const gauge = await registry.getSingleMetricAsString('tributary_provider_pacing_rate');
    expect(gauge).toContain(`provider="${client.provider}"}`);
  });

  it('without adaptive pacing, holds every call for a short Retry-After too (waiting it out in process)', async () => {
    const { client, clock, requests } = await setup(
      (_req, res, n) => (n === 1 ? json(res, 429, {}, { 'retry-after': '1' }) : json(res, 200, {})),
      { adaptivePacing: false },
    );
    await failure(client.request({ method: 'GET', path: '/x', operation: 'x.get' }));
    await client.request({ method: 'GET', path: '/x', operation: 'x.get' });
    expect(clock.sleeps).toEqual([1_000]);
    expect(requests).toHaveLength(2);
    expect(client.pacingRate).toBe(Number.POSITIVE_INFINITY);
  });

  it("converges to a throttling server's limit: close to it, barely refused, never hot-looping", async () => {
    // The simulator's throttle: a token bucket of N/s holding one second's worth, Retry-After rounded up.
    const limit = 50;
    const clock = new VirtualClock();
    let tokens = limit;
    let at = clock.now();
    const accepted: number[] = [];
    const refusedAt: number[] = [];
    const { client } = await setup(
      (_req, res) => {
        const now = clock.now();
        tokens = Math.min(limit, tokens + ((now - at) / 1000) * limit);
        at = now;
        if (tokens < 1) {
          refusedAt.push(now);
          return json(res, 429, {}, { 'retry-after': String(Math.ceil((1 - tokens) / limit)) });
        }
        tokens -= 1;
        accepted.push(now);
        json(res, 200, {});
      },
      { clock },
    );
    // Six handlers, as a connector's concurrent partitions; a refused call waits its retryAfterMs, as the
    // consumer's partition pause does.
    const started = clock.now();
    const until = started + 9_000;
    const rates: { at: number; rate: number }[] = [];
    const sampler = async () => {
      while (clock.now() < until) {
        rates.push({ at: clock.now(), rate: client.pacingRate });
        await clock.sleep(100);
      }
    };
    const handler = async () => {
      while (clock.now() < until) {
        await client.request({ method: 'GET', path: '/x', operation: 'x.get' }).catch(async (error) => {
          const { retryAfterMs } = error as ProviderError;
          expect(retryAfterMs).toBeGreaterThanOrEqual(1_000);
          await clock.sleep(retryAfterMs!);
        });
      }
    };
    await clock.concurrently(...Array.from({ length: 6 }, () => handler), sampler);
    // Converged within the first 2 s; from then on:
    const inLast = (times: number[]) => times.filter((t) => t >= started + 2_000 && t < until).length;
    const rate = inLast(accepted) / 7;
    expect(rate).toBeGreaterThanOrEqual(0.9 * limit);
    // The server admits at most N/s plus one bucket: the client does not push past that...
    expect(rate).toBeLessThanOrEqual((limit * 7 + limit) / 7);
    // ...and is barely refused for trying.
    expect(inLast(refusedAt)).toBeLessThanOrEqual(0.05 * inLast(accepted));
    // The pacing rate swings (up while the provider spends what it saved during the first pauses, down at
    // the next 429) but neither runs away nor collapses.
    const paced = rates.filter((r) => r.at >= started + 2_000).map((r) => r.rate);
    expect(Math.min(...paced)).toBeGreaterThanOrEqual(0.5 * limit);
    expect(Math.max(...paced)).toBeLessThanOrEqual(2 * limit);
  });

  it('holds calls until RateLimit-Reset once RateLimit-Remaining reaches 0', async () => {
    const { client, requests } = await setup((_req, res) =>
      json(res, 200, {}, { 'ratelimit-limit': '100', 'ratelimit-remaining': '0', 'ratelimit-reset': '5' }),
    );
    await client.request({ method: 'GET', path: '/x', operation: 'x.get' });
    const held = await failure(client.request({ method: 'GET', path: '/x', operation: 'x.get' }));
    expect(held.code).toBe(ConnectorErrorCode.providerRateLimited);
    expect(held.retryAfterMs).toBe(5_000);
    expect(requests).toHaveLength(1);
  });

  it('waits X-RateLimit-Reset on a 429 without Retry-After, holding every call when it is long', async () => {
    const clock = new VirtualClock();
    // A Unix time in seconds, as GitHub sends it.
    const reset = String(clock.now() / 1000 + 30);
    const { client, requests } = await setup(
      (_req, res) => json(res, 429, {}, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset }),
      { clock },
    );
    const error = await failure(client.request({ method: 'GET', path: '/x', operation: 'x.get' }));
    expect(error.retryAfterMs).toBe(30_000);
    const held = await failure(client.request({ method: 'GET', path: '/x', operation: 'x.get' }));
    expect(held.retryAfterMs).toBe(30_000);
    expect(requests).toHaveLength(1);
  });

  const hubspotWindow = {
    rateLimitWindow: {
      remainingHeader: 'x-hubspot-ratelimit-remaining',
      intervalMsHeader: 'x-hubspot-ratelimit-interval-milliseconds',
    },
  };

  it('holds calls for the rest of the window once the provider reports none remaining', async () => {
    const { client, requests } = await setup(
      (_req, res) =>
        json(
          res,
          200,
          { ok: true },
          {
            'x-hubspot-ratelimit-remaining': '0',
            'x-hubspot-ratelimit-interval-milliseconds': '10000',
          },
        ),
      hubspotWindow,
    );
    expect((await client.request({ ...create, idempotencyKey: 'k' })).status).toBe(200);
    const held = await failure(client.request({ ...create, idempotencyKey: 'k2' }));
    expect(held.code).toBe(ConnectorErrorCode.providerRateLimited);
    expect(held.retryAfterMs).toBe(10_000);
    expect(requests).toHaveLength(1);
  });

  it('waits the window, not the minimum, on a 429 without Retry-After', async () => {
    const { client } = await setup(
      (_req, res) =>
        json(
          res,
          429,
          { category: 'RATE_LIMITS' },
          {
            'x-hubspot-ratelimit-remaining': '0',
            'x-hubspot-ratelimit-interval-milliseconds': '10000',
          },
        ),
      hubspotWindow,
    );
    const error = await failure(client.request({ ...create, idempotencyKey: 'k' }));
    expect(error).toMatchObject({ code: ConnectorErrorCode.providerRateLimited, retryAfterMs: 10_000 });
  });

  it('treats a status the provider means as permanent as not retriable, without retries', async () => {
    const { client, requests } = await setup((_req, res) => json(res, 409, { category: 'CONFLICT' }), {
      nonRetriableStatuses: [409],
    });
    const error = await failure(client.request({ ...create, idempotencyKey: 'k' }));
    expect(error).toMatchObject({ code: ConnectorErrorCode.providerRejected, retriable: false, status: 409 });
    expect(requests).toHaveLength(1);
  });

  it('clamps Retry-After to the configured bounds', async () => {
    const { client } = await setup((_req, res) => json(res, 429, {}, { 'retry-after': '86400' }), {
      retryAfter: { minMs: 1_000, maxMs: 60_000 },
    });
    const error = await failure(client.request({ ...create, idempotencyKey: 'k' }));
    expect(error.retryAfterMs).toBe(60_000);
  });

  it('opens the circuit after consecutive failures and answers with the half-open delay', async () => {
    const { client, requests } = await setup((_req, res) => json(res, 503, {}), {
      retry: { maxRetries: 0 },
      breaker: { consecutiveFailures: 2, halfOpenAfterMs: 30_000 },
    });
    await failure(client.request({ ...create, idempotencyKey: 'a' }));
    await failure(client.request({ ...create, idempotencyKey: 'b' }));
    expect(client.circuitState).toBe('open');
    const open = await failure(client.request({ ...create, idempotencyKey: 'c' }));
    expect(open).toMatchObject({ code: ConnectorErrorCode.circuitOpen, retriable: true });
    expect(open.retryAfterMs).toBeGreaterThan(25_000);
    expect(open.retryAfterMs).toBeLessThanOrEqual(30_000);
    expect(requests).toHaveLength(2);
    const gauge = await registry.getSingleMetricAsString('tributary_circuit_breaker_state');
    expect(gauge).toContain(`name="${client.provider}",state="open"} 1`);
  });

  it('closes again after a successful half-open probe', async () => {
    const { client } = await setup((_req, res, n) => (n <= 2 ? json(res, 503, {}) : json(res, 200, {})), {
      retry: { maxRetries: 0 },
      breaker: { consecutiveFailures: 2, halfOpenAfterMs: 50 },
    });
    await failure(client.request({ ...create, idempotencyKey: 'a' }));
    await failure(client.request({ ...create, idempotencyKey: 'b' }));
    expect(client.circuitState).toBe('open');
    // The half-open delay is cockatiel's, on the system clock: refused until it has passed.
    const response = await waitFor(() => client.request({ ...create, idempotencyKey: 'c' }), {
      timeoutMs: 2_000,
      intervalMs: 10,
      message: 'the half-open probe to succeed',
    });
    expect(response.status).toBe(200);
    expect(client.circuitState).toBe('closed');
  });

  it('does not count 4xx against the breaker', async () => {
    const { client } = await setup((_req, res) => json(res, 400, {}), {
      breaker: { consecutiveFailures: 2, halfOpenAfterMs: 30_000 },
    });
    for (const key of ['a', 'b', 'c']) await failure(client.request({ ...create, idempotencyKey: key }));
    expect(client.circuitState).toBe('closed');
  });

  it('waits briefly for a token, and refuses with retryAfterMs when the wait would be long', async () => {
    const { client, clock, requests } = await setup((_req, res) => json(res, 200, {}), {
      rateLimit: { requestsPerSecond: 2, burst: 1, maxWaitMs: 1_000 },
    });
    await client.request({ method: 'GET', path: '/x', operation: 'x.get' });
    await client.request({ method: 'GET', path: '/x', operation: 'x.get' });
    expect(clock.sleeps).toEqual([500]);
    expect(requests).toHaveLength(2);

    const strict = await setup((_req, res) => json(res, 200, {}), {
      rateLimit: { requestsPerSecond: 0.1, burst: 1, maxWaitMs: 100 },
    });
    await strict.client.request({ method: 'GET', path: '/x', operation: 'x.get' });
    const error = await failure(strict.client.request({ method: 'GET', path: '/x', operation: 'x.get' }));
    expect(error).toMatchObject({ code: ConnectorErrorCode.providerRateLimited, retriable: true });
    expect(error.retryAfterMs).toBe(10_000);
    expect(strict.clock.sleeps).toEqual([]);
    expect(strict.requests).toHaveLength(1);
  });

  it('records the remaining rate limit the provider reports', async () => {
    const { client } = await setup((_req, res) => json(res, 200, {}, { 'x-ratelimit-remaining': '41' }));
    await client.request({ method: 'GET', path: '/x', operation: 'x.get' });
    const gauge = await registry.getSingleMetricAsString('tributary_provider_rate_limit_remaining');
    expect(gauge).toContain(`provider="${client.provider}"} 41`);
  });

  it("records the window's quota under the connector's own limit header", async () => {
    const { client } = await setup(
      (_req, res) => json(res, 200, {}, { 'x-acme-quota': '600', 'x-ratelimit-limit': '5000' }),
      { limitHeaders: ['x-acme-quota'] },
    );
    await client.request({ method: 'GET', path: '/x', operation: 'x.get' });
    const gauge = await registry.getSingleMetricAsString('tributary_provider_rate_limit_limit');
    expect(gauge).toContain(`provider="${client.provider}"} 600`);
  });

  it("paces to its replica's share of the quota and reports the share and the rate from boot on", async () => {
    const { client, clock } = await setup((_req, res) => json(res, 200, {}), {
      rateLimit: { requestsPerSecond: 20, burst: 4 },
    });
    const share = () => registry.getSingleMetricAsString('tributary_provider_rate_limit_share');
    expect(await share()).toContain(`tributary_provider_rate_limit_share{provider="${client.provider}"} 1`);
    client.setQuotaShare(0.5);
    expect(client.quotaShare).toBe(0.5);
    expect(client.pacingRate).toBe(10);
    expect(await share()).toContain(`tributary_provider_rate_limit_share{provider="${client.provider}"} 0.5`);
    const rate = await registry.getSingleMetricAsString('tributary_provider_pacing_rate');
    expect(rate).toContain(`tributary_provider_pacing_rate{provider="${client.provider}"} 10`);
    // Half the burst saved up, then one call every 100 ms.
    for (let i = 0; i < 3; i++) await client.request({ method: 'GET', path: '/x', operation: 'x.get' });
    expect(clock.sleeps).toEqual([100]);
  });

  it('stops retrying when the caller aborts', async () => {
    const controller = new AbortController();
    const { client, requests } = await setup(
      (_req, res) => {
        controller.abort();
        json(res, 503, {});
      },
      { retry: { maxRetries: 5, initialDelayMs: 1, maxDelayMs: 2, budgetMs: 2_000 } },
    );
    await failure(client.request({ ...create, idempotencyKey: 'k', signal: controller.signal }));
    expect(requests).toHaveLength(1);
  });
});

describe('ProviderHttpClient: limits of single operations', () => {
  const search = {
    method: 'POST',
    path: '/search',
    operation: 'things.search',
    json: {},
    readOnly: true,
  } as const;
  const get = { method: 'GET', path: '/x', operation: 'x.get' } as const;

  it('hold that operation to its own rate and leave the others alone', async () => {
    const { client, clock, requests } = await setup((_req, res) => json(res, 200, {}), {
      rateLimit: { requestsPerSecond: 100, burst: 100, maxWaitMs: 1_000 },
      operationLimits: { 'things.search': { requestsPerSecond: 4, burst: 1 } },
    });
    await client.request(search);
    await client.request(search);
    expect(clock.sleeps).toEqual([250]);
    for (let i = 0; i < 10; i++) await client.request(get);
    expect(clock.sleeps).toEqual([250]);
    expect(requests).toHaveLength(12);
  });

  it('refuse a normal call whose slot is further than the longest wait, and a low-priority one at once', async () => {
    const { client, clock, requests } = await setup((_req, res) => json(res, 200, {}), {
      rateLimit: { requestsPerSecond: 100, burst: 100, maxWaitMs: 100 },
      operationLimits: { 'things.search': { requestsPerSecond: 4, burst: 1 } },
    });
    await client.request(search);
    const normal = await failure(client.request(search));
    expect(normal).toMatchObject({ code: ConnectorErrorCode.providerRateLimited, retryAfterMs: 1_000 });
    const low = await failure(client.request({ ...search, priority: 'low' }));
    expect(low).toMatchObject({ code: ConnectorErrorCode.providerRateLimited, retryAfterMs: 250 });
    expect(clock.sleeps).toEqual([]);
    await clock.sleep(250);
    await client.request({ ...search, priority: 'low' });
    expect(requests).toHaveLength(2);
  });
});

describe('ProviderHttpClient: low-priority calls', () => {
  const get = { method: 'GET', path: '/x', operation: 'x.get' } as const;
  const low = { ...get, priority: 'low' } as const;
  // 10/s with a burst of 10: the default reserve keeps 5 tokens for normal calls.
  const limits = { rateLimit: { requestsPerSecond: 10, burst: 10, maxWaitMs: 1_000 } };

  it('spend only what the bucket holds above the reserve, and are refused at once with the wait until it is back', async () => {
    const { client, clock, requests } = await setup((_req, res) => json(res, 200, {}), limits);
    // 10 tokens: each low call needs 6 (its own and the reserve of 5 after it), so five go.
    for (let i = 0; i < 5; i++) await client.request(low);
    const refused = await failure(client.request(low));
    expect(refused).toMatchObject({ code: ConnectorErrorCode.providerRateLimited, retriable: true });
    // One token short at 10/s.
    expect(refused.retryAfterMs).toBe(100);
    expect(requests).toHaveLength(5);
    expect(clock.sleeps).toEqual([]);

    // The reserve is normal traffic's: five calls go without waiting, the sixth waits its slot as before.
    for (let i = 0; i < 5; i++) await client.request(get);
    expect(clock.sleeps).toEqual([]);
    await client.request(get);
    expect(clock.sleeps).toEqual([100]);
    // The bucket is empty now: a low call waits for 6 tokens, not 1.
    expect((await failure(client.request(low))).retryAfterMs).toBe(600);
    expect(requests).toHaveLength(11);

    await clock.sleep(600);
    await client.request(low);
    expect(requests).toHaveLength(12);
  });

  it('count normal calls queued for a slot before them', async () => {
    const { client, clock } = await setup((_req, res) => json(res, 200, {}), {
      rateLimit: { requestsPerSecond: 10, burst: 1, maxWaitMs: 1_000 },
    });
    await client.request(get);
    // A normal call reserves the next token and sleeps for it; the low call behind it needs that token and
    // its own (a burst of one leaves no room for a reserve: a low call needs the full bucket).
    await clock.concurrently(
      () => client.request(get),
      async () => {
        const refused = await failure(client.request(low));
        expect(refused.retryAfterMs).toBe(200);
      },
    );
    expect(clock.sleeps).toEqual([100]);
  });

  it('do not wait out a hold the provider asked for, even a short one a normal call waits for', async () => {
    const { client, clock, requests } = await setup(
      (_req, res, n) => (n === 1 ? json(res, 429, {}, { 'retry-after': '1' }) : json(res, 200, {})),
      { adaptivePacing: false },
    );
    await failure(client.request(get));
    const refused = await failure(client.request(low));
    expect(refused).toMatchObject({ code: ConnectorErrorCode.providerRateLimited, retryAfterMs: 1_000 });
    expect(clock.sleeps).toEqual([]);
    await client.request(get);
    expect(clock.sleeps).toEqual([1_000]);
    expect(requests).toHaveLength(2);
  });

  it('take the priority of the work they are made for, unless the call names its own', async () => {
    const { client, requests } = await setup((_req, res) => json(res, 200, {}), limits);
    await withRequestPriority('low', async () => {
      for (let i = 0; i < 5; i++) await client.request(get);
      expect((await failure(client.request(get))).code).toBe(ConnectorErrorCode.providerRateLimited);
      await client.request({ ...get, priority: 'normal' });
    });
    // Outside the ambient priority, calls are normal again.
    await client.request(get);
    expect(requests).toHaveLength(7);
  });

  it('go as normal calls once refused for the longest starvation, so a walk advances under saturating traffic', async () => {
    const { client, clock, requests } = await setup((_req, res) => json(res, 200, {}), {
      ...limits,
      lowPriorityMaxStarvationMs: 5_000,
    });
    // Live traffic takes every token as it comes: the bucket never climbs back to the reserve.
    const saturate = async (ms: number) => {
      for (let t = 0; t < ms; t += 100) await client.request(get);
    };
    await saturate(1_000);
    const first = await failure(client.request(low));
    expect(first.code).toBe(ConnectorErrorCode.providerRateLimited);
    await saturate(4_900);
    expect((await failure(client.request(low))).code).toBe(ConnectorErrorCode.providerRateLimited);
    await saturate(100);
    // Five seconds of refusals: this one waits for its slot like a normal call, and goes.
    const sent = requests.length;
    await client.request(low);
    expect(requests).toHaveLength(sent + 1);
    // The next is refused again, and the count of refusals starts over.
    expect((await failure(client.request(low))).code).toBe(ConnectorErrorCode.providerRateLimited);
    expect(clock.sleeps.every((ms) => ms <= 1_000)).toBe(true);
  });

  it('leave the configured share of the burst: 0 spends it all, 1 only a full bucket', async () => {
    const greedy = await setup((_req, res) => json(res, 200, {}), { ...limits, lowPriorityReserve: 0 });
    for (let i = 0; i < 10; i++) await greedy.client.request(low);
    expect((await failure(greedy.client.request(low))).retryAfterMs).toBe(100);

    const polite = await setup((_req, res) => json(res, 200, {}), { ...limits, lowPriorityReserve: 1 });
    await polite.client.request(low);
    expect((await failure(polite.client.request(low))).retryAfterMs).toBe(100);
    expect(polite.requests).toHaveLength(1);

    expect(
      () => new ProviderHttpClient({ provider: 'p', baseUrl: 'http://x', lowPriorityReserve: 1.5 }),
    ).toThrow(RangeError);
  });

  it("are attempted once: a 5xx is the caller's to ask again, without a retry spending the budget", async () => {
    const { client, clock, requests } = await setup((_req, res, n) =>
      n === 1 ? json(res, 503, {}) : json(res, 200, {}),
    );
    const error = await failure(client.request(low));
    expect(error).toMatchObject({ code: ConnectorErrorCode.providerUnavailable, retriable: true });
    expect(requests).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
    await client.request(low);
    expect(requests).toHaveLength(2);
  });

  it('go without a configured bucket until a 429 makes the client pace', async () => {
    const { client, requests } = await setup((_req, res) => json(res, 200, {}));
    for (let i = 0; i < 50; i++) await client.request(low);
    expect(requests).toHaveLength(50);
  });

  it('take only what normal traffic leaves: the bucket holds, normal calls never wait, the walk gets the rest', async () => {
    const clock = new VirtualClock();
    const arrivals: { at: number; priority: string }[] = [];
    const { client } = await setup(
      (req, res) => {
        arrivals.push({ at: clock.now(), priority: String(req.headers['x-priority']) });
        json(res, 200, {});
      },
      { ...limits, clock },
    );
    const normalWaits: number[] = [];
    let normalDone = false;
    let refusals = 0;
    await clock.concurrently(
      // Events at 6/s, below the limit of 10/s, for 5 s.
      async () => {
        for (let i = 0; i < 30; i++) {
          const started = clock.now();
          await client.request({ ...get, headers: { 'x-priority': 'normal' } });
          normalWaits.push(clock.now() - started);
          await clock.sleep(1_000 / 6);
        }
        normalDone = true;
      },
      // A reconciliation walk as fast as it is let: each refused page is asked again when the client says.
      async () => {
        while (!normalDone) {
          try {
            await client.request({ ...low, headers: { 'x-priority': 'low' } });
          } catch (error) {
            refusals += 1;
            await clock.sleep((error as ProviderError).retryAfterMs!);
          }
        }
      },
    );
    expect(normalWaits.every((ms) => ms === 0)).toBe(true);
    const normal = arrivals.filter((a) => a.priority === 'normal').length;
    const walk = arrivals.filter((a) => a.priority === 'low').length;
    expect(normal).toBe(30);
    expect(refusals).toBeGreaterThan(0);
    // The bucket's bound over the run: at most the burst plus the rate times the time.
    const seconds = (arrivals.at(-1)!.at - arrivals[0]!.at) / 1_000;
    expect(normal + walk).toBeLessThanOrEqual(10 + 10 * seconds);
    // The walk used what the events left: about 4 of every 10 tokens per second, less the reserve.
    expect(walk).toBeGreaterThan(4 * seconds - 10);
    // In no second did the provider see more than the burst plus one second's rate.
    for (const { at } of arrivals) {
      expect(arrivals.filter((a) => a.at >= at && a.at < at + 1_000).length).toBeLessThanOrEqual(20);
    }
  });
});
