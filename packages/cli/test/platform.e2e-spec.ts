import { eventCatalogue } from '@tributary/contracts';
import type { DomainEvent, EventOf } from '@tributary/contracts';
import { AvroEventDecoder, SchemaRegistryClient, createKafkaClient } from '@tributary/kafka';
import { createTestDatabase, stackFromEnv, uniqueName, waitFor } from '@tributary/testkit';
import type { TestDatabase } from '@tributary/testkit';
import type { Consumer } from 'kafkajs';
import { v7 as uuidv7 } from 'uuid';
import { startPlatform } from '../src/platform/platform.js';
import type { RunningPlatform } from '../src/platform/platform.js';

// Needs the builds of every app (`npm run build`), as `npm test` does before the integration run.

interface LedgerEntry {
  route: string;
  idempotencyKey: string;
  requests: number;
  effects: number;
}
interface Delivery {
  provider: string;
  eventId: string;
  type: string;
  status: number | null;
  attempt: number;
}

const ORDERS = 4;
const shipTo = (n: number) => ({
  recipientName: `Customer ${n}`,
  line1: `${n} Main Street`,
  postalCode: '10115',
  city: 'Berlin',
  countryCode: 'DE',
});

describe('the platform end to end (simulator, ingestion, example-service, every connector as processes)', () => {
  const stack = stackFromEnv();
  const run = uniqueName('e2e').replaceAll('-', '');
  let db: TestDatabase;
  let platform: RunningPlatform;
  let tap: Consumer;
  const seen: DomainEvent[] = [];

  beforeAll(async () => {
    db = await createTestDatabase({ prefix: 'platform' });
    platform = await startPlatform({
      endpoints: stack,
      databaseUrl: db.url,
      // Its own topics and groups: nothing published by other tests is replayed, nothing of this run leaks.
      topicPrefix: `${run}.`,
      groupPrefix: `${run}.`,
      withDlqHandler: false,
      appEnv: { RETRY_TIERS: '1s,2s', CONSUMER_SESSION_TIMEOUT_MS: '6000' },
      // Every webhook delivered twice, each object's events newest first.
      simulatorEnv: { WEBHOOK_DUPLICATE: '2', WEBHOOK_REORDER: 'true', EASYPOST_TRACKING_STEP_MS: '300' },
      log: () => undefined,
    });
    const kafka = createKafkaClient({ clientId: 'platform-e2e', brokers: stack.kafka.brokers });
    const decoder = new AvroEventDecoder({
      registry: new SchemaRegistryClient({ url: stack.registry.url }),
      readerDefinitions: Object.values(eventCatalogue),
    });
    tap = kafka.consumer({ groupId: `${run}.observer` });
    await tap.connect();
    await tap.subscribe({ topics: [new RegExp(`^${run}\\.`)], fromBeginning: true });
    await tap.run({ eachMessage: async ({ message }) => void seen.push(await decoder.decode(message)) });
  }, 240_000);

  afterAll(async () => {
    await tap?.disconnect();
    await platform?.stop();
    await db?.drop();
  });

  it('takes each order from payment to delivery with one effect per step, every webhook twice and out of order', async () => {
    const orders: Array<{ orderId: string; paymentId: string; customerId: string }> = [];
    for (let n = 1; n <= ORDERS; n += 1) {
      const customerId = uuidv7();
      const response = await fetch(`${platform.exampleServiceUrl}/v1/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          customerId,
          currency: 'EUR',
          lines: [{ sku: `SKU-${n}`, quantity: n, unitPriceMinor: 1250 }],
          shipTo: shipTo(n),
        }),
      });
      expect(response.status).toBe(202);
      orders.push({ ...((await response.json()) as { orderId: string; paymentId: string }), customerId });
    }

    const statusOf = async (orderId: string) =>
      (await (await fetch(`${platform.exampleServiceUrl}/v1/orders/${orderId}`)).json()) as {
        status: string;
        shipmentId: string | null;
      };
    await waitFor(
      async () =>
        (await Promise.all(orders.map((o) => statusOf(o.orderId)))).every((o) => o.status === 'delivered'),
      { timeoutMs: 150_000, intervalMs: 500, message: `all ${ORDERS} orders delivered` },
    );
    const shipments = await Promise.all(orders.map(async (o) => (await statusOf(o.orderId)).shipmentId!));

    // The simulator's ledger: one applied effect per order at each provider.
    const ledger = (await (await fetch(`${platform.simulatorUrl}/__admin/ledger`)).json()) as {
      entries: LedgerEntry[];
    };
    const effects = (route: string) =>
      ledger.entries.filter((e) => e.route === route).reduce((sum, e) => sum + e.effects, 0);
    expect(ledger.entries.every((e) => e.effects <= 1)).toBe(true);
    expect(effects('POST /v1/payment_intents')).toBe(ORDERS);
    expect(effects('POST /v2/shipments/:id/buy')).toBe(ORDERS);
    // The contact is written once per customer: the second PaymentSucceeded (the webhook's) changes nothing.
    expect(effects('POST /crm/v3/objects/contacts/batch/upsert')).toBe(ORDERS);

    // Every webhook reached ingestion twice; each event id went out twice and nothing was refused.
    const deliveries = (await (
      await fetch(`${platform.simulatorUrl}/__admin/webhooks`)
    ).json()) as Delivery[];
    const perEvent = new Map<string, number>();
    for (const d of deliveries) perEvent.set(d.eventId, (perEvent.get(d.eventId) ?? 0) + 1);
    expect(deliveries.length).toBeGreaterThanOrEqual(2 * ORDERS * 2);
    expect([...perEvent.values()].every((n) => n >= 2)).toBe(true);
    expect(deliveries.every((d) => d.status !== null && d.status < 300)).toBe(true);

    // On Kafka: per order one request per step, one ShipmentDelivered per shipment despite 2 × 3 tracker calls.
    await waitFor(
      () =>
        shipments.every((s) =>
          seen.some((e) => e.type === 'logistics.shipment.delivered' && e.subject === s),
        ),
      {
        timeoutMs: 30_000,
        message: 'every ShipmentDelivered observed',
      },
    );
    const count = (type: string, subject: string) =>
      seen.filter((e) => e.type === type && e.subject === subject).length;
    for (const [i, order] of orders.entries()) {
      expect(count('payments.payment.requested', order.paymentId)).toBe(1);
      expect(count('logistics.shipment.requested', shipments[i]!)).toBe(1);
      expect(count('logistics.shipment.created', shipments[i]!)).toBe(1);
      expect(count('logistics.shipment.delivered', shipments[i]!)).toBe(1);
      // The connector's own answer and Stripe's webhook: two reports of one payment, both harmless.
      expect(count('payments.payment.succeeded', order.paymentId)).toBe(2);
    }
    const contacts = seen.filter((e) => e.type === 'crm.contact.upserted');
    expect(new Set(contacts.map((e) => e.subject))).toEqual(new Set(orders.map((o) => o.customerId)));

    // The CRM loop: the contact's creation made HubSpot send a signed webhook; ingestion published
    // crm.contact.changed; the CRM connector read the contact (no write) and published it again, caused by it.
    const notices = () =>
      seen.filter(
        (e): e is EventOf<'crm.contact.changed'> =>
          e.type === 'crm.contact.changed' && e.source.startsWith('/tributary/ingestion'),
      );
    const answersTo = (customerId: string) =>
      seen.filter(
        (e) =>
          e.type === 'crm.contact.upserted' &&
          e.subject === customerId &&
          notices().some((notice) => notice.id === e.causationId),
      );
    await waitFor(() => orders.every((o) => answersTo(o.customerId).length > 0), {
      timeoutMs: 60_000,
      message: 'a crm.contact.upserted caused by a crm.contact.changed for every customer',
    });
    for (const order of orders) {
      const hubspotId = await hubspotIdOf(order.customerId);
      // One notice per customer: the second (identical) upsert and the connector's reads sent no webhook.
      const about = notices().filter((n) => n.data.providerContactId === hubspotId);
      expect(about.map((n) => [n.data.provider, n.data.changeKind, n.data.changedProperty])).toEqual([
        ['hubspot', 'CREATED', null],
      ]);
      // Keyed by the id the connector recorded for the contact (unless the webhook outran that commit, when
      // the connector still publishes under the id HubSpot holds).
      const [answer, ...more] = answersTo(order.customerId);
      expect(more).toEqual([]);
      expect(answer!.causationId).toBe(about[0]!.id);
      expect((answer as EventOf<'crm.contact.upserted'>).data.contactId).toBe(order.customerId);
    }
    // Still one write per customer: reading after a webhook wrote nothing (no further webhook, no loop).
    const ledgerAfter = (await (await fetch(`${platform.simulatorUrl}/__admin/ledger`)).json()) as {
      entries: LedgerEntry[];
    };
    expect(
      ledgerAfter.entries
        .filter((e) => e.route === 'POST /crm/v3/objects/contacts/batch/upsert')
        .reduce((sum, e) => sum + e.effects, 0),
    ).toBe(ORDERS);
    // HubSpot's batches were delivered (twice each, as every webhook) and ingestion accepted every one.
    const hubspotDeliveries = (
      (await (await fetch(`${platform.simulatorUrl}/__admin/webhooks`)).json()) as Delivery[]
    ).filter((d) => d.provider === 'hubspot');
    expect(hubspotDeliveries.length).toBeGreaterThanOrEqual(2);
    expect(
      hubspotDeliveries
        .map((d) => d.status)
        .filter((status) => !(Number(status) >= 200 && Number(status) < 300)),
    ).toEqual([]);
  }, 240_000);

  /** HubSpot's record id of a customer's contact, read from the simulator by our id property. */
  async function hubspotIdOf(customerId: string): Promise<string> {
    const response = await fetch(
      `${platform.simulatorUrl}/crm/v3/objects/contacts/${customerId}?idProperty=tributary_contact_id`,
      { headers: { authorization: 'Bearer pat-e2e' } },
    );
    expect(response.status).toBe(200);
    return ((await response.json()) as { id: string }).id;
  }
});
