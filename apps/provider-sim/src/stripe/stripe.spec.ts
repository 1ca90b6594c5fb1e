import { createVerifier, stripeWebhook } from '@tributary/webhooks';
import { waitFor } from '@tributary/testkit';
import { admin, startReceiver } from '../../test/support.js';
import type { WebhookReceiver } from '../../test/support.js';
import { startProviderSim } from '../server.js';
import type { ProviderSim } from '../server.js';

let sim: ProviderSim;
beforeEach(async () => {
  sim = await startProviderSim();
});
afterEach(() => sim.close());

const auth = { authorization: 'Bearer sk_test_sim' };

function createIntent(
  key: string | undefined,
  body = 'amount=1500&currency=eur&confirm=true&metadata[order]=o1',
) {
  return fetch(`${sim.url}/v1/payment_intents`, {
    method: 'POST',
    headers: {
      ...auth,
      'content-type': 'application/x-www-form-urlencoded',
      ...(key ? { 'idempotency-key': key } : {}),
    },
    body,
  });
}

async function fault(fault: Record<string, unknown>) {
  const response = await fetch(`${sim.url}/__admin/faults`, { method: 'POST', body: JSON.stringify(fault) });
  expect(response.status).toBe(200);
}

describe('provider-sim, Stripe PaymentIntents', () => {
  it('creates a PaymentIntent once per idempotency key and replays the first answer', async () => {
    const first = await createIntent('k1');
    const intent = (await first.json()) as { id: string; status: string; metadata: Record<string, string> };
    expect(first.status).toBe(200);
    expect(intent).toMatchObject({ status: 'succeeded', metadata: { order: 'o1' } });

    const replay = await createIntent('k1');
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await replay.json()).toEqual(intent);

    const got = await fetch(`${sim.url}/v1/payment_intents/${intent.id}`, { headers: auth });
    expect(await got.json()).toEqual(intent);
    expect(sim.ledger.snapshot().entries).toEqual([
      {
        idempotencyKey: 'k1',
        route: 'POST /v1/payment_intents',
        requests: 2,
        effects: 1,
        objectId: intent.id,
      },
    ]);
  });

  it('refuses a key reused with other parameters, like Stripe', async () => {
    await createIntent('k1');
    const reused = await createIntent('k1', 'amount=999&currency=eur');
    expect(reused.status).toBe(400);
    expect(await reused.json()).toMatchObject({ error: { type: 'idempotency_error' } });
  });

  it('answers a declined card with 402 and stores that answer for the key', async () => {
    const body = 'amount=100&currency=eur&confirm=true&payment_method=pm_card_chargeDeclined';
    const declined = await createIntent('k-decline', body);
    expect(declined.status).toBe(402);
    expect(await declined.json()).toMatchObject({ error: { type: 'card_error', code: 'card_declined' } });
    expect((await createIntent('k-decline', body)).status).toBe(402);
  });

  it('injects 5xx and 429 before the effect, for the next N requests only', async () => {
    await fault({ route: 'POST /v1/payment_intents', errorRate: 1, times: 1 });
    expect((await createIntent('k1')).status).toBe(500);
    await fault({ route: 'POST /v1/payment_intents', status429Rate: 1, retryAfterSeconds: 3, times: 1 });
    const limited = await createIntent('k1');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');
    expect((await createIntent('k1')).status).toBe(200);
    expect(sim.ledger.snapshot().entries[0]).toMatchObject({ requests: 3, effects: 1 });
  });

  it('applies the effect and then loses the answer on a timeout fault; the retry gets the stored answer', async () => {
    await fault({ route: 'POST /v1/payment_intents', timeoutRate: 1, times: 1 });
    await expect(
      fetch(`${sim.url}/v1/payment_intents`, {
        method: 'POST',
        headers: { ...auth, 'idempotency-key': 'k1' },
        body: 'amount=1&currency=eur',
        signal: AbortSignal.timeout(200),
      }),
    ).rejects.toThrow();
    const retry = await createIntent('k1', 'amount=1&currency=eur');
    expect(retry.status).toBe(200);
    expect(sim.ledger.snapshot().entries[0]).toMatchObject({ requests: 2, effects: 1 });
  });

  it('refuses calls without an API key and unknown routes', async () => {
    expect((await fetch(`${sim.url}/v1/payment_intents`, { method: 'POST' })).status).toBe(401);
    expect((await fetch(`${sim.url}/v1/nothing`, { headers: auth })).status).toBe(404);
  });
});

describe('provider-sim, Stripe throttle', () => {
  it('answers above N requests/s with Stripe 429s carrying Retry-After, and counts them', async () => {
    // 40/s with a burst of 1: over a run of ~1.2 s, at most 1 + 40 * elapsed requests get through.
    await admin(sim.url, '/throttle', { route: 'POST /v1/payment_intents', requestsPerSecond: 40, burst: 1 });
    const started = Date.now();
    let ok = 0;
    let limited = 0;
    const worker = async (w: number) => {
      for (let i = 0; Date.now() - started < 1_200; i++) {
        const response = await createIntent(`t-${w}-${i}`, 'amount=1&currency=eur');
        if (response.status === 200) ok += 1;
        else {
          expect(response.status).toBe(429);
          expect(response.headers.get('retry-after')).toBe('1');
          expect(await response.json()).toMatchObject({ error: { type: 'rate_limit_error' } });
          limited += 1;
        }
      }
    };
    await Promise.all([0, 1, 2, 3].map(worker));
    const elapsedSeconds = (Date.now() - started) / 1000;
    expect(ok).toBeLessThanOrEqual(1 + Math.ceil(40 * elapsedSeconds));
    // A busy machine can leave gaps in which tokens go unused, so only a loose lower bound.
    expect(ok).toBeGreaterThanOrEqual(Math.floor(40 * 1.2 * 0.5));
    expect(limited).toBeGreaterThan(0);
    const snapshot = sim.ledger.snapshot();
    expect(snapshot.throttled['POST /v1/payment_intents']).toBe(limited);
    expect(snapshot.requests['POST /v1/payment_intents']).toBe(ok + limited);

    await admin(sim.url, '/throttle', undefined, 'DELETE');
    expect((await createIntent('after-throttle', 'amount=1&currency=eur')).status).toBe(200);
  });
});

describe('provider-sim, Stripe webhooks', () => {
  const secret = 'whsec_provider_sim_test_secret';
  let receiver: WebhookReceiver;
  let signing: ProviderSim;

  async function start(status?: (nth: number) => number) {
    receiver = await startReceiver(status);
    signing = await startProviderSim({
      stripeWebhook: { url: receiver.url, secret },
      webhookRetry: { maxAttempts: 3, baseDelayMs: 10 },
    });
  }
  afterEach(async () => {
    await signing?.close();
    await receiver?.close();
  });

  async function pay(key: string) {
    const response = await fetch(`${signing.url}/v1/payment_intents`, {
      method: 'POST',
      headers: { ...auth, 'idempotency-key': key },
      body: 'amount=700&currency=eur&confirm=true',
    });
    return (await response.json()) as { id: string };
  }

  it('sends a signed payment_intent.succeeded that the Stripe scheme verifies', async () => {
    await start();
    const intent = await pay('k-webhook');
    await waitFor(() => receiver.received.length === 1, { timeoutMs: 5_000 });
    const verifier = createVerifier(stripeWebhook.scheme, [secret]);
    const [delivery] = receiver.received;
    expect(() =>
      verifier.verify({ method: 'POST', url: '/webhooks', headers: delivery!.headers, body: delivery!.body }),
    ).not.toThrow();
    expect(delivery!.json).toMatchObject({
      type: 'payment_intent.succeeded',
      data: { object: { id: intent.id, status: 'succeeded' } },
    });
  });

  it('retries a delivery the receiver refused, re-signed, and records every attempt', async () => {
    await start((nth) => (nth === 1 ? 500 : 200));
    await pay('k-retry');
    await waitFor(() => receiver.received.length === 2, { timeoutMs: 5_000 });
    const [first, second] = receiver.received;
    expect(second!.json.id).toBe(first!.json.id);
    const attempts = await admin<{ status: number; attempt: number; provider: string; type: string }[]>(
      signing.url,
      '/webhooks',
    );
    expect(attempts).toMatchObject([
      { provider: 'stripe', type: 'payment_intent.succeeded', status: 500, attempt: 1 },
      { provider: 'stripe', type: 'payment_intent.succeeded', status: 200, attempt: 2 },
    ]);
  });

  it('duplicates and delays deliveries on demand', async () => {
    await start();
    await admin(signing.url, '/webhooks/delivery', { provider: 'stripe', duplicate: 3, delayMs: 300 });
    const before = Date.now();
    await pay('k-dup');
    await waitFor(() => receiver.received.length === 3, { timeoutMs: 5_000 });
    expect(new Set(receiver.received.map((delivery) => delivery.json.id)).size).toBe(1);
    // Only a lower bound: the delivery can come later on a busy machine, never earlier.
    expect(receiver.received[0]!.at - before).toBeGreaterThanOrEqual(290);
  });

  it('drops deliveries on demand and records them as dropped', async () => {
    await start();
    await admin(signing.url, '/webhooks/delivery', { provider: 'stripe', dropRate: 1 });
    await pay('k-drop');
    const attempts = await waitFor(
      async () => {
        const list = await admin<{ status: unknown }[]>(signing.url, '/webhooks');
        return list.length === 1 ? list : undefined;
      },
      { timeoutMs: 5_000 },
    );
    expect(attempts[0]).toMatchObject({ status: 'dropped', attempt: 0 });
    expect(receiver.received).toHaveLength(0);
  });
});
