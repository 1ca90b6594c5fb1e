import { waitFor } from '@tributary/testkit';
import { createVerifier, hubspotWebhook, mapProviderEvent } from '@tributary/webhooks';
import type { ExternalRefResolver } from '@tributary/webhooks';
import { admin, bearer, startReceiver } from '../../test/support.js';
import type { ReceivedWebhook, WebhookReceiver } from '../../test/support.js';
import { loadConfig } from '../provider-sim.config.js';
import { startProviderSim } from '../server.js';
import type { ProviderSim } from '../server.js';
import { HUBSPOT_MAX_BATCH, HUBSPOT_PORTAL_ID, HUBSPOT_SUBSCRIPTIONS } from './contact-webhooks.js';
import type { SubscriptionEvent } from './contact-webhooks.js';

const secret = 'hubspot-client-secret-for-tests';

interface UpsertResponse {
  results: { id: string; properties: Record<string, string> }[];
}

describe('provider-sim, HubSpot contact webhooks', () => {
  let receiver: WebhookReceiver;
  let sim: ProviderSim;
  beforeEach(async () => {
    // The first request of each test is refused once, so every test also sees a re-signed retry.
    receiver = await startReceiver((nth) => (nth === 1 ? 503 : 200));
    sim = await startProviderSim({
      hubspotWebhook: { url: receiver.url, secret },
      hubspotWebhookBatchMs: 20,
      webhookRetry: { maxAttempts: 3, baseDelayMs: 10 },
    });
  });
  afterEach(async () => {
    await sim.close();
    await receiver.close();
  });

  const upsert = async (inputs: { id: string; properties: Record<string, string> }[]) => {
    const response = await fetch(`${sim.url}/crm/v3/objects/contacts/batch/upsert`, {
      method: 'POST',
      headers: { ...bearer, 'content-type': 'application/json' },
      body: JSON.stringify({
        inputs: inputs.map((input, n) => ({
          idProperty: 'tributary_contact_id',
          objectWriteTraceId: `trace-${input.id}-${n}`,
          ...input,
        })),
      }),
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as UpsertResponse).results;
  };
  /** Accepted requests only (the refused first attempt is resent with the same body). */
  const accepted = () => receiver.received.slice(1);
  const eventsOf = (delivery: ReceivedWebhook) => delivery.json as unknown as SubscriptionEvent[];

  it('sends a batched contact.creation per new contact, signed with v3 over method, URL, body and time', async () => {
    const [ada, bob] = await upsert([
      { id: 'c-ada', properties: { lifecyclestage: 'customer' } },
      { id: 'c-bob', properties: { lifecyclestage: 'lead' } },
    ]);
    await waitFor(() => accepted().length === 1, { timeoutMs: 5_000, message: 'one accepted batch' });

    const [refused, delivery] = receiver.received as [ReceivedWebhook, ReceivedWebhook];
    expect(eventsOf(delivery)).toEqual([
      {
        eventId: expect.any(Number),
        subscriptionId: HUBSPOT_SUBSCRIPTIONS['contact.creation'],
        portalId: HUBSPOT_PORTAL_ID,
        appId: expect.any(Number),
        occurredAt: expect.any(Number),
        subscriptionType: 'contact.creation',
        attemptNumber: 0,
        objectId: Number(ada!.id),
        changeSource: 'INTEGRATION',
      },
      expect.objectContaining({ subscriptionType: 'contact.creation', objectId: Number(bob!.id) }),
    ]);
    expect(eventsOf(delivery)[0]!.occurredAt).toBe(Date.parse(ada!.properties.lastmodifieddate!));

    // What ingestion does: verify over the URL it was called at. Each attempt is signed afresh.
    const verifier = createVerifier(hubspotWebhook.scheme, [secret]);
    for (const { headers, body } of [refused, delivery]) {
      expect(verifier.verify({ method: 'POST', url: receiver.url, headers, body })).toEqual({
        secretIndex: 0,
        timestamp: expect.any(Date),
      });
      expect(headers['x-hubspot-request-timestamp']).toMatch(/^\d{13}$/);
    }
    expect(() => verifier.verify({ method: 'POST', url: `${receiver.url}/other`, ...delivery })).toThrow(
      expect.objectContaining({ code: 'WEBHOOK_SIGNATURE_INVALID' }),
    );

    // The body is one ingestion's HubSpot definition splits and maps to crm.contact.changed.
    const request = { method: 'POST', url: receiver.url, headers: delivery.headers, body: delivery.body };
    const [first] = hubspotWebhook.events(delivery.json, request);
    const refs: ExternalRefResolver = { find: async () => undefined, getOrCreate: async () => 'cust-ada' };
    const mapped = await mapProviderEvent(hubspotWebhook, first!, {
      provider: 'hubspot',
      source: '/test',
      receivedAt: new Date(),
      refs,
      newEventId: () => 'e-1',
    });
    expect(mapped).toMatchObject({
      status: 'mapped',
      events: [{ type: 'crm.contact.changed', data: { providerContactId: ada!.id, changeKind: 'CREATED' } }],
    });

    const attempts = await admin<{ provider: string; status: number; attempt: number; type: string }[]>(
      sim.url,
      '/webhooks',
    );
    expect(attempts.map((a) => [a.provider, a.type, a.status, a.attempt])).toEqual([
      ['hubspot', 'contact.creation', 503, 1],
      ['hubspot', 'contact.creation', 200, 2],
    ]);
  });

  it('sends one contact.propertyChange per changed property, and nothing for a write that changes nothing', async () => {
    const [contact] = await upsert([
      { id: 'c-1', properties: { lifecyclestage: 'lead', email: 'a@x.test' } },
    ]);
    await waitFor(() => accepted().length === 1, { timeoutMs: 5_000, message: 'creation batch' });

    // The same values again (a redelivered event): no webhook. Then a real change.
    await upsert([{ id: 'c-1', properties: { lifecyclestage: 'lead', email: 'a@x.test' } }]);
    await upsert([{ id: 'c-1', properties: { lifecyclestage: 'customer', email: 'a@x.test' } }]);
    await waitFor(() => accepted().length === 2, { timeoutMs: 5_000, message: 'change batch' });

    // Batches go out in order, so an event of the unchanged write would come before the change's.
    expect(eventsOf(accepted()[1]!)).toEqual([
      expect.objectContaining({
        subscriptionType: 'contact.propertyChange',
        subscriptionId: HUBSPOT_SUBSCRIPTIONS['contact.propertyChange'],
        objectId: Number(contact!.id),
        propertyName: 'lifecyclestage',
        propertyValue: 'customer',
        changeSource: 'INTEGRATION',
      }),
    ]);
    const ids = accepted().flatMap((delivery) => eventsOf(delivery).map((event) => event.eventId));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('puts at most 100 events in one request', async () => {
    const ids = Array.from({ length: 60 }, (_, n) => `c-${n}`);
    await upsert(ids.map((id) => ({ id, properties: { lifecyclestage: 'lead' } })));
    await waitFor(() => accepted().length === 1, { timeoutMs: 5_000, message: 'creation batch' });
    // Two changed properties each: 120 events from one write.
    await upsert(ids.map((id) => ({ id, properties: { lifecyclestage: 'customer', firstname: id } })));
    await waitFor(() => accepted().length === 3, { timeoutMs: 5_000, message: 'two change batches' });
    // The two change batches are separate deliveries and may arrive in either order.
    const sizes = accepted().map((delivery) => eventsOf(delivery).length);
    expect([sizes[0], ...sizes.slice(1).sort((a, b) => b - a)]).toEqual([60, HUBSPOT_MAX_BATCH, 20]);
  });

  it('follows the delivery controls, e.g. every batch twice with the same body', async () => {
    await admin(sim.url, '/webhooks/delivery', { provider: 'hubspot', duplicate: 2 });
    await upsert([{ id: 'c-dup', properties: { lifecyclestage: 'lead' } }]);
    await waitFor(() => accepted().length === 2, { timeoutMs: 5_000, message: 'two copies' });
    expect(accepted()[0]!.body.equals(accepted()[1]!.body)).toBe(true);
  });
});

describe('provider-sim, HubSpot webhooks off', () => {
  it('sends nothing without an endpoint, and reads its endpoint from HUBSPOT_WEBHOOK_URL/SECRET', async () => {
    const sim = await startProviderSim({});
    try {
      const response = await fetch(`${sim.url}/crm/v3/objects/contacts/batch/upsert`, {
        method: 'POST',
        headers: { ...bearer, 'content-type': 'application/json' },
        body: JSON.stringify({ inputs: [{ idProperty: 'tributary_contact_id', id: 'x', properties: {} }] }),
      });
      expect(response.status).toBe(200);
      expect(sim.webhooks.enabled('hubspot')).toBe(false);
      expect(sim.webhooks.pending()).toBe(0);
    } finally {
      await sim.close();
    }
    expect(
      loadConfig({
        HUBSPOT_WEBHOOK_URL: 'http://127.0.0.1:3000/webhooks/hubspot',
        HUBSPOT_WEBHOOK_SECRET: secret,
        HUBSPOT_WEBHOOK_BATCH_MS: '100',
      }),
    ).toMatchObject({
      hubspotWebhook: { url: 'http://127.0.0.1:3000/webhooks/hubspot', secret },
      hubspotWebhookBatchMs: 100,
    });
    expect(loadConfig({}).hubspotWebhookBatchMs).toBe(250);
    expect(() => loadConfig({ HUBSPOT_WEBHOOK_URL: 'http://x/y' })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
  });
});
