import { waitFor } from '@tributary/testkit';
import { admin, startReceiver } from '../../test/support.js';
import type { WebhookReceiver } from '../../test/support.js';
import { startProviderSim } from '../server.js';
import type { ProviderSim } from '../server.js';

const basic = { authorization: `Basic ${Buffer.from('EZTK_sim_key:').toString('base64')}` };
const address = { street1: '1 Main St', city: 'Springfield', zip: '62701', country: 'US' };

interface Tracker {
  id: string;
  status: string;
  shipment_id: string;
}
interface Shipment {
  id: string;
  status: string;
  rates: { id: string }[];
  tracker: Tracker | null;
}

let receiver: WebhookReceiver;
let sim: ProviderSim;
beforeEach(async () => {
  receiver = await startReceiver();
  // The tracking series of a buy is far away: only the drift's webhooks arrive during a test.
  sim = await startProviderSim({
    easypostWebhook: { url: receiver.url, secret: 'easypost_webhook_secret_for_tests' },
    easypostTrackingStepMs: 600_000,
    webhookRetry: { maxAttempts: 1, baseDelayMs: 10 },
  });
});
afterEach(async () => {
  await sim.close();
  await receiver.close();
});

async function post<T>(path: string, body: unknown): Promise<T> {
  const response = await fetch(`${sim.url}${path}`, {
    method: 'POST',
    headers: { ...basic, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return (await response.json()) as T;
}

async function ship(buy = true): Promise<Shipment> {
  const created = await post<Shipment>('/v2/shipments', {
    shipment: { reference: 'order-1', to_address: address, from_address: address, parcel: { weight: 1 } },
  });
  return buy
    ? post<Shipment>(`/v2/shipments/${created.id}/buy`, { rate: { id: created.rates[0]!.id } })
    : created;
}

const drift = (body: Record<string, unknown>) =>
  admin<Tracker>(sim.url, '/drift', { provider: 'easypost', kind: 'tracker-status', ...body });
const statuses = () =>
  receiver.received.map((delivery) => [
    (delivery.json.result as Tracker).id,
    (delivery.json.result as Tracker).status,
    (delivery.json.previous_attributes as { status: string }).status,
  ]);

describe('provider-sim, EasyPost drift', () => {
  it('sets a tracker status by shipment or tracker id, with its tracker.updated webhook', async () => {
    const shipment = await ship();
    const tracker = shipment.tracker!;
    expect(await drift({ id: shipment.id, status: 'in_transit', webhook: true })).toMatchObject({
      id: tracker.id,
      status: 'in_transit',
    });
    await drift({ id: tracker.id, status: 'delivered', webhook: true });
    await waitFor(() => receiver.received.length === 2, { timeoutMs: 5_000 });
    expect(statuses()).toEqual([
      [tracker.id, 'in_transit', 'pre_transit'],
      [tracker.id, 'delivered', 'in_transit'],
    ]);
    const got = await fetch(`${sim.url}/v2/shipments/${shipment.id}`, { headers: basic });
    expect(await got.json()).toMatchObject({ status: 'delivered', tracker: { status: 'delivered' } });
  });

  it('sets a status without a webhook when asked', async () => {
    const [quiet, loud] = [await ship(), await ship()];
    await drift({ id: quiet.id, status: 'return_to_sender', webhook: false });
    // The next drift that does send is the barrier for the quiet one.
    await drift({ id: loud.id, status: 'delivered', webhook: true });
    await waitFor(() => receiver.received.length === 1, { timeoutMs: 5_000 });
    expect(statuses()).toEqual([[loud.tracker!.id, 'delivered', 'pre_transit']]);
    const tracker = await fetch(`${sim.url}/v2/trackers/${quiet.tracker!.id}`, { headers: basic });
    expect(await tracker.json()).toMatchObject({ status: 'return_to_sender' });
  });

  it('refuses an unknown id, an unbought shipment and a status EasyPost does not have', async () => {
    const unbought = await ship(false);
    await expect(drift({ id: 'shp_missing', status: 'delivered' })).rejects.toThrow(/404/);
    await expect(drift({ id: unbought.id, status: 'delivered' })).rejects.toThrow(/409/);
    await expect(drift({ id: unbought.id, status: 'teleported' })).rejects.toThrow(/400/);
  });
});
