import { startProviderSim } from './server.js';
import type { ProviderSim } from './server.js';

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

describe('provider-sim, Stripe webhooks', () => {
  it('sends a signed payment_intent.succeeded that the Stripe scheme verifies', async () => {
    const { createServer } = await import('node:http');
    const { createVerifier, stripeWebhook } = await import('@tributary/webhooks');
    const received: { headers: Record<string, string | string[] | undefined>; body: Buffer }[] = [];
    const receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks) });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const port = (receiver.address() as { port: number }).port;
    const secret = 'whsec_provider_sim_test_secret';
    const signing = await startProviderSim({
      stripeWebhook: { url: `http://127.0.0.1:${port}/webhooks/stripe`, secret },
    });
    try {
      const response = await fetch(`${signing.url}/v1/payment_intents`, {
        method: 'POST',
        headers: { ...auth, 'idempotency-key': 'k-webhook' },
        body: 'amount=700&currency=eur&confirm=true',
      });
      const intent = (await response.json()) as { id: string };
      const deadline = Date.now() + 5_000;
      while (received.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(received).toHaveLength(1);
      const verifier = createVerifier(stripeWebhook.scheme, [secret]);
      expect(() =>
        verifier.verify({
          method: 'POST',
          url: '/webhooks/stripe',
          headers: received[0]!.headers,
          body: received[0]!.body,
        }),
      ).not.toThrow();
      expect(JSON.parse(received[0]!.body.toString())).toMatchObject({
        type: 'payment_intent.succeeded',
        data: { object: { id: intent.id, status: 'succeeded' } },
      });
    } finally {
      await signing.close();
      receiver.closeAllConnections();
      receiver.close();
    }
  });
});
