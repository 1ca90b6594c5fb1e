import { sampleEvent } from '@tributary/connector-sdk/testing';
import type { ConnectorProcessHarness } from '@tributary/connector-sdk/testing';
import { waitFor } from '@tributary/testkit';
import { v7 as uuidv7 } from 'uuid';
import { SIM_TOKEN, crmHarness, outboxEvents } from './support.js';

// What the conformance suite does not look at: what the connector writes to HubSpot and publishes.
describe('connector-crm against the simulated HubSpot', () => {
  let harness: ConnectorProcessHarness;
  beforeAll(async () => {
    harness = await crmHarness();
  }, 180_000);
  afterAll(async () => {
    await harness?.close();
  }, 60_000);

  const contactInSim = async (customerId: string) => {
    const response = await fetch(
      `${harness.simUrl}/crm/v3/objects/contacts/${customerId}?idProperty=tributary_contact_id`,
      { headers: { authorization: `Bearer ${SIM_TOKEN}` } },
    );
    return response.ok
      ? ((await response.json()) as { id: string; properties: Record<string, string> })
      : undefined;
  };

  it('marks the paying customer as a customer and publishes the contact as HubSpot holds it', async () => {
    const customerId = uuidv7();
    const payment = sampleEvent('payments.payment.succeeded', { data: { customerId } });
    await harness.publish(payment);
    await waitFor(() => harness.processed(payment.id), { timeoutMs: 60_000, message: 'payment handled' });

    const contact = await contactInSim(customerId);
    expect(contact?.properties).toMatchObject({
      tributary_contact_id: customerId,
      lifecyclestage: 'customer',
      tributary_last_paid_order_id: payment.data.orderId,
    });
    expect(
      await harness.query(
        `SELECT external_type, external_id, internal_id FROM "${harness.schema}".external_refs`,
      ),
    ).toContainEqual({ external_type: 'contact', external_id: contact!.id, internal_id: customerId });

    const [upserted, ...more] = await outboxEvents(harness, payment.id);
    expect(more).toEqual([]);
    expect(upserted).toMatchObject({
      type: 'crm.contact.upserted',
      subject: customerId,
      causationId: payment.id,
      data: { contactId: customerId, email: null, marketingConsent: false },
    });
    // The relay got it onto crm.contact.v1 (ensured at boot; the connector reads its notices there too).
    await waitFor(
      async () =>
        (
          await harness.query(
            `SELECT 1 FROM "${harness.schema}".outbox WHERE headers->>'causation-id' = $1 AND published_at IS NOT NULL`,
            [payment.id],
          )
        ).length === 1,
      { timeoutMs: 30_000, message: 'crm.contact.upserted published' },
    );
  }, 120_000);

  it('answers a HubSpot change notice by reading the contact, never writing, and publishing it', async () => {
    const customerId = uuidv7();
    const payment = sampleEvent('payments.payment.succeeded', { data: { customerId } });
    await harness.publish(payment);
    await waitFor(() => harness.processed(payment.id), { timeoutMs: 60_000, message: 'payment handled' });
    const contact = (await contactInSim(customerId))!;
    const readsTo = async () =>
      (
        (await (await fetch(`${harness.simUrl}/__admin/ledger`)).json()) as {
          requests: Record<string, number>;
        }
      ).requests['GET /crm/v3/objects/contacts/:id'] ?? 0;
    const readsBefore = await readsTo();

    // What ingestion publishes for HubSpot's contact.propertyChange webhook.
    const changed = sampleEvent('crm.contact.changed', {
      subject: customerId,
      data: {
        contactId: customerId,
        provider: 'hubspot',
        providerContactId: contact.id,
        changeKind: 'PROPERTY_CHANGED',
        changedProperty: 'lifecyclestage',
        changeSource: 'INTEGRATION',
        occurredAt: Date.now(),
      },
    });
    // Another CRM's notice on the same topic is recorded and left alone.
    const foreign = sampleEvent('crm.contact.changed', {
      subject: customerId,
      data: { ...changed.data, provider: 'salesforce' },
    });
    await harness.publish(changed, foreign);
    await waitFor(() => harness.processed(changed.id), { timeoutMs: 60_000, message: 'notice handled' });
    await waitFor(() => harness.processed(foreign.id), { timeoutMs: 60_000, message: 'foreign notice' });

    const [upserted, ...more] = await outboxEvents(harness, changed.id);
    expect(more).toEqual([]);
    expect(upserted).toMatchObject({
      type: 'crm.contact.upserted',
      subject: customerId,
      causationId: changed.id,
      data: { contactId: customerId, email: null, marketingConsent: false },
    });
    expect(await outboxEvents(harness, foreign.id)).toEqual([]);
    // A read, and no write (which would make HubSpot send the next webhook): nothing in the ledger under the
    // notice's key. (Counting all writes would not do: the group replays the shared topic's older payments.)
    expect(await readsTo()).toBeGreaterThan(readsBefore);
    const ledger = await harness.sim.ledger();
    expect(ledger.filter((entry) => entry.idempotencyKey.includes(changed.id))).toEqual([]);
    expect(ledger.find((entry) => entry.idempotencyKey === `tributary:crm:${payment.id}`)?.effects).toBe(1);
  }, 120_000);

  it('records a payment without customerId and calls nothing', async () => {
    const payment = sampleEvent('payments.payment.succeeded', { data: { customerId: null } });
    await harness.publish(payment);
    await waitFor(() => harness.processed(payment.id), { timeoutMs: 60_000, message: 'payment recorded' });
    const key = `tributary:crm:${payment.id}`;
    expect((await harness.sim.ledger()).find((entry) => entry.idempotencyKey === key)).toBeUndefined();
    expect(await harness.outcomes(payment.id)).toBe(0);
  }, 120_000);
});
