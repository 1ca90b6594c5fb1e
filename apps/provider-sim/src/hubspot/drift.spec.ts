import { waitFor } from '@tributary/testkit';
import { admin, bearer, startReceiver } from '../../test/support.js';
import type { WebhookReceiver } from '../../test/support.js';
import { startProviderSim } from '../server.js';
import type { ProviderSim } from '../server.js';
import type { SubscriptionEvent } from './contact-webhooks.js';

interface Contact {
  id: string;
  properties: Record<string, string>;
  updatedAt: string;
  archived: boolean;
}

let receiver: WebhookReceiver;
let sim: ProviderSim;
beforeEach(async () => {
  receiver = await startReceiver();
  sim = await startProviderSim({
    hubspotWebhook: { url: receiver.url, secret: 'hubspot-client-secret-for-tests' },
    hubspotWebhookBatchMs: 10,
    webhookRetry: { maxAttempts: 1, baseDelayMs: 10 },
  });
});
afterEach(async () => {
  await sim.close();
  await receiver.close();
});

async function upsert(id: string): Promise<Contact> {
  const response = await fetch(`${sim.url}/crm/v3/objects/contacts/batch/upsert`, {
    method: 'POST',
    headers: { ...bearer, 'content-type': 'application/json' },
    body: JSON.stringify({
      inputs: [{ idProperty: 'tributary_contact_id', id, properties: { lifecyclestage: 'lead' } }],
    }),
  });
  return ((await response.json()) as { results: Contact[] }).results[0]!;
}

const drift = (body: Record<string, unknown>) =>
  admin<Contact>(sim.url, '/drift', { provider: 'hubspot', ...body });
const events = () => receiver.received.flatMap((delivery) => delivery.json as unknown as SubscriptionEvent[]);

describe('provider-sim, HubSpot drift', () => {
  it('edits a contact as someone in HubSpot’s UI: lastmodifieddate moves on, webhooks say CRM_UI', async () => {
    const contact = await upsert('c-1');
    await waitFor(() => events().length === 1, { timeoutMs: 5_000 });
    await admin(sim.url, '/clock', { offsetMs: 60_000 });
    const edited = await drift({
      kind: 'edit',
      id: contact.id,
      properties: { lifecyclestage: 'customer' },
      webhook: true,
    });
    expect(edited.properties.lifecyclestage).toBe('customer');
    expect(Date.parse(edited.properties.lastmodifieddate!)).toBeGreaterThan(
      Date.parse(contact.properties.lastmodifieddate!),
    );
    await waitFor(() => events().length === 2, { timeoutMs: 5_000 });
    expect(events()[1]).toMatchObject({
      subscriptionType: 'contact.propertyChange',
      objectId: Number(contact.id),
      propertyName: 'lifecyclestage',
      propertyValue: 'customer',
      changeSource: 'CRM_UI',
    });
    expect(events()[0]).toMatchObject({ subscriptionType: 'contact.creation', changeSource: 'INTEGRATION' });
  });

  it('edits without a webhook when asked', async () => {
    const [quiet, loud] = [await upsert('quiet'), await upsert('loud')];
    await waitFor(() => events().length === 2, { timeoutMs: 5_000 });
    await drift({ kind: 'edit', id: quiet.id, properties: { firstname: 'Q' }, webhook: false });
    // The next edit that does send is the barrier: nothing of the quiet one comes before or with it.
    await drift({ kind: 'edit', id: loud.id, properties: { firstname: 'L' }, webhook: true });
    await waitFor(() => events().length === 3, { timeoutMs: 5_000 });
    expect(events()[2]).toMatchObject({ objectId: Number(loud.id), propertyName: 'firstname' });
    const got = await fetch(`${sim.url}/crm/v3/objects/contacts/${quiet.id}`, { headers: bearer });
    expect(await got.json()).toMatchObject({ properties: { firstname: 'Q' } });
  });

  it('archives a contact out of band; an archived or unknown contact takes no more drift', async () => {
    const contact = await upsert('c-archive');
    expect(await drift({ kind: 'archive', id: contact.id })).toMatchObject({
      id: contact.id,
      archived: true,
    });
    expect(
      (await fetch(`${sim.url}/crm/v3/objects/contacts/${contact.id}`, { headers: bearer })).status,
    ).toBe(404);
    await expect(drift({ kind: 'archive', id: contact.id })).rejects.toThrow(/404/);
    await expect(drift({ kind: 'edit', id: '999', properties: {} })).rejects.toThrow(/404/);
    await expect(drift({ kind: 'edit', id: contact.id })).rejects.toThrow(/400/);
  });
});
