import { waitFor } from '@tributary/testkit';
import { admin, bearer, startReceiver } from '../../test/support.js';
import type { WebhookReceiver } from '../../test/support.js';
import { startProviderSim } from '../server.js';
import type { ProviderSim } from '../server.js';
import type { WebhookAttempt } from './webhooks.js';

let receiver: WebhookReceiver;
let sim: ProviderSim;
beforeEach(async () => {
  receiver = await startReceiver();
  sim = await startProviderSim({
    stripeWebhook: { url: receiver.url, secret: 'whsec_provider_sim_test_secret' },
    webhookRetry: { maxAttempts: 1, baseDelayMs: 10 },
  });
});
afterEach(async () => {
  await sim.close();
  await receiver.close();
});

async function pay(n: number): Promise<string> {
  const response = await fetch(`${sim.url}/v1/payment_intents`, {
    method: 'POST',
    headers: { ...bearer, 'idempotency-key': `drop-${n}` },
    body: 'amount=100&currency=eur&confirm=true',
  });
  return ((await response.json()) as { id: string }).id;
}

describe('provider-sim, dropping the next N webhooks', () => {
  it('drops exactly the next N events of the provider, records them as dropped, then delivers again', async () => {
    const controls = await admin<{ dropNext: number; dropRate: number }>(sim.url, '/webhooks/delivery', {
      provider: 'stripe',
      dropNext: 1,
    });
    expect(controls).toMatchObject({ provider: 'stripe', dropNext: 1, dropRate: 0 });
    const first = await pay(1);
    const attempts = await waitFor(
      async () => {
        const list = await admin<WebhookAttempt[]>(sim.url, '/webhooks');
        return list.length === 1 ? list : undefined;
      },
      { timeoutMs: 5_000 },
    );
    expect(attempts[0]).toMatchObject({ provider: 'stripe', status: 'dropped', attempt: 0 });
    expect(await admin(sim.url, '/webhooks/delivery')).toMatchObject({ stripe: { dropNext: 0 } });

    const second = await pay(2);
    await waitFor(() => receiver.received.length === 1, { timeoutMs: 5_000 });
    const delivered = receiver.received[0]!.json as unknown as { data: { object: { id: string } } };
    expect(delivered.data.object.id).toBe(second);
    expect(delivered.data.object.id).not.toBe(first);
  });

  it('forgets a pending dropNext on reset', async () => {
    await admin(sim.url, '/webhooks/delivery', { provider: 'stripe', dropNext: 5 });
    await admin(sim.url, '/webhooks/delivery', undefined, 'DELETE');
    await pay(3);
    await waitFor(() => receiver.received.length === 1, { timeoutMs: 5_000 });
  });
});
