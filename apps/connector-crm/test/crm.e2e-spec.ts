import { sampleEvent } from '@tributary/connector-sdk/testing';
import type { ConnectorProcessHarness } from '@tributary/connector-sdk/testing';
import { waitFor } from '@tributary/testkit';
import type { EventOf } from '@tributary/contracts';
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

  it('answers a reconciliation read with the contacts HubSpot holds, once per request', async () => {
    const customerId = uuidv7();
    const payment = sampleEvent('payments.payment.succeeded', { data: { customerId } });
    await harness.publish(payment);
    await waitFor(() => harness.processed(payment.id), { timeoutMs: 60_000, message: 'payment handled' });
    const contact = (await contactInSim(customerId))!;

    const runId = uuidv7();
    const request = sampleEvent('reconciliation.read.requested', {
      subject: runId,
      data: {
        runId,
        provider: 'hubspot',
        entity: 'contact',
        mode: 'IDS',
        ids: [customerId],
        cursor: null,
        pageSize: 100,
      },
    });
    const answers = await harness.topicEvents('reconciliation.read.v1');
    const answersTo = () =>
      answers.filter((e) => e.type === 'reconciliation.read.completed' && e.causationId === request.id);
    await harness.publish(request, request);
    const [answer] = (await waitFor(() => answersTo().length > 0 && answersTo(), {
      timeoutMs: 60_000,
      message: 'the read answered',
    })) as EventOf<'reconciliation.read.completed'>[];
    expect(answer!.data).toMatchObject({
      runId,
      complete: true,
      failureCode: null,
      records: [
        {
          externalId: contact.id,
          internalId: customerId,
          deleted: false,
          fields: { email: null, givenName: null, familyName: null, phone: null, marketingConsent: 'false' },
        },
      ],
    });
    // The copy behind it on the run's partition is a redelivery: answered by the inbox with nothing.
    const next = sampleEvent('reconciliation.read.requested', {
      subject: runId,
      data: { ...request.data, pageNo: request.data.pageNo + 1, ids: [] },
    });
    await harness.publish(next);
    await waitFor(() => answers.some((e) => e.causationId === next.id), {
      timeoutMs: 60_000,
      message: 'next page',
    });
    expect(answersTo()).toHaveLength(1);
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
