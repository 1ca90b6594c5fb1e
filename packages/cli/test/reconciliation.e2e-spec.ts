import { eventCatalogue } from '@tributary/contracts';
import type { EventOf } from '@tributary/contracts';
import {
  AvroEventEncoder,
  KafkaEventProducer,
  SchemaRegistryClient,
  createKafkaClient,
} from '@tributary/kafka';
import { hashToken } from '@tributary/service-kit';
import { createTestDatabase, stackFromEnv, uniqueName, waitFor } from '@tributary/testkit';
import type { TestDatabase } from '@tributary/testkit';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { startPlatform } from '../src/platform/platform.js';
import type { RunningPlatform } from '../src/platform/platform.js';
import { EventTap } from './support/event-tap.js';
import { Shop } from './support/orders.js';
import type { PlacedOrder } from './support/orders.js';
import { ReconcilerApi, summary } from './support/reconciler-api.js';
import type { Run } from './support/reconciler-api.js';
import { Simulator } from './support/simulator.js';

// Reconciliation on the whole platform: every app a built process (`npm run build` first), the provider
// simulator a process, the reconciler run by hand through its API (no schedule), so every run in here is one
// the test started. Drift is injected at the simulator (or, for a lost event, in the reconciler's own
// projection); each case counts the findings, the repairs (the reconciler's `repairs` table and the
// corrective events on Kafka) and checks that downstream ends in the owner's state.

const TOKEN = 'reconciliation-e2e-token';
const SETTLE_MS = 1_000;
const PAGE_SIZE = 3;
const CONTACTS_LIST = 'GET /crm/v3/objects/contacts';
const CONTACTS_SEARCH = 'POST /crm/v3/objects/contacts/search';
const INTENTS_LIST = 'GET /v1/payment_intents';
/** HubSpot's documented limits, as the simulator enforces them (HUBSPOT_RATE_LIMIT_MAX, HUBSPOT_SEARCH_RATE_LIMIT). */
const HUBSPOT_PER_10S = 190;
const HUBSPOT_SEARCHES_PER_S = 5;
/** The order traffic that shares HubSpot's budget with a walk. */
const ORDER_EVERY_MS = 1_000;
/** Seeded contacts: a full walk of them takes dozens of pages. */
const SEEDED = 450;

describe('reconciliation end to end (every app a process, drift injected at the simulator)', () => {
  const stack = stackFromEnv();
  const run = uniqueName('recon').replaceAll('-', '');
  let db: TestDatabase;
  let platform: RunningPlatform;
  let tap: EventTap;
  let sim: Simulator;
  let shop: Shop;
  let api: ReconcilerApi;
  let reconcilerDb: pg.Pool;
  /** Customers of the first orders, each with a HubSpot contact; the cases take one each. */
  const customers: PlacedOrder[] = [];
  /** Contacts seeded at HubSpot and published as the platform would hold them. */
  const seededContacts: Array<{ id: string; contactId: string; email: string; lastmodifieddate: string }> =
    [];

  beforeAll(async () => {
    db = await createTestDatabase({ prefix: 'reconciliation' });
    platform = await startPlatform({
      endpoints: stack,
      databaseUrl: db.url,
      topicPrefix: `${run}.`,
      groupPrefix: `${run}.`,
      withDlqHandler: false,
      appEnv: { RETRY_TIERS: '1s,2s' },
      simulatorEnv: { EASYPOST_TRACKING_STEP_MS: '300' },
      reconciliationEnv: {
        API_KEYS: `e2e:${hashToken(TOKEN)}:reconciliation:read+reconciliation:run+reconciliation:repair`,
        RECONCILE_SCHEDULE: 'false',
        RECONCILE_SETTLE: `${SETTLE_MS}ms`,
        RECONCILE_PAGE_SIZE: String(PAGE_SIZE),
        RECONCILE_REPAIR_ENTITIES: 'payment,contact,shipment',
        // A page whose answer died with a killed reconciler is asked for again soon.
        RECONCILE_PAGE_TIMEOUT: '5s',
        RECONCILE_DRIVER_INTERVAL: '200ms',
        // A SIGKILLed reconciler's partitions go to its successor within seconds, not the default 30 s.
        CONSUMER_SESSION_TIMEOUT_MS: '6000',
      },
      log: () => undefined,
    });
    tap = await EventTap.start(stack, `${run}.`);
    sim = new Simulator(platform.simulatorUrl);
    shop = new Shop(platform.exampleServiceUrl);
    api = new ReconcilerApi(platform.reconciliationUrl!, TOKEN);
    reconcilerDb = new pg.Pool({
      connectionString: db.url,
      max: 2,
      options: '-c search_path=reconciliation',
    });
  }, 240_000);

  afterAll(async () => {
    await tap?.stop();
    await reconcilerDb?.end();
    await platform?.stop();
    await db?.drop();
  });

  /** Rows in the reconciler's `repairs` table: one per repair it ever emitted (the outbox row commits with it). */
  const repairRows = async (runId?: string) =>
    (
      await reconcilerDb.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM repairs WHERE $1::uuid IS NULL OR run_id = $1`,
        [runId ?? null],
      )
    ).rows[0]!.n;

  const projectionOf = async (entity: string, entityId: string) =>
    (
      await reconcilerDb.query<{ fields: Record<string, string | null>; deleted: boolean }>(
        `SELECT fields, deleted FROM projections WHERE entity = $1 AND entity_id = $2`,
        [entity, entityId],
      )
    ).rows[0];

  /**
   * The reconciler defers what changed within its settle window, on either side, to the next run (a webhook
   * may still be on its way): a case waits until the platform has been quiet that long and the owner's
   * change it injected is that old.
   */
  const settle = async (ownerVersion = 0) => {
    await tap.quietFor(SETTLE_MS + 200);
    await waitFor(`owner change older than ${SETTLE_MS} ms`, () => Date.now() - ownerVersion > SETTLE_MS, {
      intervalMs: 50,
    });
  };

  /** Everything the owner holds is compared: the live contacts and those in HubSpot's recycling bin. */
  const contactsAtOwner = async () => {
    const { hubspot } = await sim.objects();
    return hubspot.contacts + hubspot.archived;
  };

  /** A second run right after a repairing one: nothing left to find, nothing emitted. */
  const expectNothingLeft = async (entity: 'payment' | 'contact' | 'shipment') => {
    await settle();
    const repairsBefore = await repairRows();
    const again = await api.run({ entity, mode: 'full' });
    expect(again).toMatchObject({ status: 'succeeded', mismatches: 0, repairsEmitted: 0, deferred: 0 });
    expect(await api.findings(again.id)).toEqual([]);
    expect(await repairRows()).toBe(repairsBefore);
    return again;
  };

  it('settles webhooks delivered twice and out of order without a single finding', async () => {
    for (const provider of ['stripe', 'hubspot', 'easypost'] as const) {
      await sim.delivery(provider, { duplicate: 2, reorder: true });
    }
    for (let n = 0; n < 5; n += 1) customers.push(await shop.place());
    for (const order of customers) await shop.reached(order.orderId, 'delivered');
    // The CRM loop closed too: HubSpot's webhook of each new contact came back as a contact read.
    await waitFor(
      'each contact read after its HubSpot webhook',
      () =>
        customers.every((c) =>
          tap
            .events('crm.contact.upserted', c.customerId)
            .some((e) => tap.events('crm.contact.changed').some((notice) => notice.id === e.causationId)),
        ),
      60_000,
    );
    await sim.resetDelivery();
    // Every webhook of these orders reached ingestion twice (Stripe's, EasyPost's and HubSpot's batches). The
    // second copy of the last webhooks may still be on its way when the orders are done: wait for it.
    const accepted = async () => {
      const copies = new Map<string, number>();
      for (const d of await sim.deliveries()) {
        if (typeof d.status === 'number' && d.status < 300)
          copies.set(d.eventId, (copies.get(d.eventId) ?? 0) + 1);
      }
      return copies;
    };
    const copies = await waitFor(
      'both copies of every webhook accepted',
      async () => {
        const seen = await accepted();
        return [...seen.values()].every((n) => n === 2) && seen;
      },
      30_000,
    );
    expect(copies.size).toBeGreaterThanOrEqual(customers.length * 4);
    expect(new Set(copies.values())).toEqual(new Set([2]));
    await settle();

    const owner = await sim.objects();
    for (const mode of ['full', 'incremental'] as const) {
      const payments = await api.run({ entity: 'payment', mode });
      expect(payments).toMatchObject({ status: 'succeeded', mismatches: 0, unverifiable: 0, deferred: 0 });
      expect(payments.pages).toBeGreaterThan(1);
      expect(await api.findings(payments.id)).toEqual([]);
      if (mode === 'full') expect(payments.compared).toBe(owner.stripe.payment_intents);
    }
    const shipments = await api.run({ entity: 'shipment', mode: 'full' });
    expect(shipments).toMatchObject({
      status: 'succeeded',
      compared: owner.easypost.shipments,
      mismatches: 0,
      unverifiable: 0,
      deferred: 0,
    });
    expect(shipments.pages).toBeGreaterThan(1);
    expect(await api.findings(shipments.id)).toEqual([]);
    const contacts = await api.run({ entity: 'contact', mode: 'full' });
    expect(contacts).toMatchObject({
      status: 'succeeded',
      compared: await contactsAtOwner(),
      mismatches: 0,
      unverifiable: 0,
      deferred: 0,
    });
    expect(await api.findings(contacts.id)).toEqual([]);
    expect(tap.repairs()).toEqual([]);
    expect(await repairRows()).toBe(0);
  }, 300_000);

  it('repairs a payment whose webhook was dropped while the connector gave up, and the order moves on', async () => {
    // Stripe charges, but its answer reaches the connector only after the connector's 10 s timeout, every
    // time (replays too): three attempts (the first and two retry tiers) and the request is dead-lettered.
    // The payment_intent.succeeded webhook is dropped. The platform still believes the payment pending.
    await sim.fault({ route: 'POST /v1/payment_intents', afterEffectDelayMs: 12_000 });
    await sim.delivery('stripe', { dropNext: 1 });
    const order = await shop.place();
    await waitFor(
      'the payment request dead-lettered by connector-payments',
      () => tap.deadLetters('connector-payments').some((e) => e.subject === order.paymentId),
      { timeoutMs: 120_000, intervalMs: 250 },
    );
    await sim.clearFaults();
    expect(await sim.effects('POST /v1/payment_intents')).toBe(customers.length + 1);
    const dropped = (await sim.deliveries()).filter((d) => d.provider === 'stripe' && d.status === 'dropped');
    expect(dropped.map((d) => d.type)).toEqual(['payment_intent.succeeded']);
    const intentId = dropped[0]!.detail!;
    expect((await shop.show(order.orderId)).status).toBe('payment_requested');
    expect(tap.events('payments.payment.succeeded', order.paymentId)).toEqual([]);

    await settle();
    const found = await api.run({ entity: 'payment', mode: 'full' });
    expect(found).toMatchObject({ status: 'succeeded', mismatches: 1, repairsEmitted: 1, deferred: 0 });
    const findings = await api.findings(found.id);
    expect(findings.map(summary)).toEqual([
      { entityId: order.paymentId, class: 'stale_locally', decision: 'repaired', status: 'resolved' },
    ]);
    expect(findings[0]).toMatchObject({
      externalId: intentId,
      diffs: [{ field: 'status', local: 'pending', owner: 'succeeded' }],
    });
    expect(await repairRows(found.id)).toBe(1);

    // Downstream heals through its normal consumers: the checkout ships, the CRM marks the customer.
    await shop.reached(order.orderId, 'delivered');
    expect((await sim.contactOf(order.customerId)).properties.lifecyclestage).toBe('customer');
    await waitFor('the corrective PaymentSucceeded on Kafka', () =>
      tap.repairs('payments.payment.succeeded', order.paymentId).at(0),
    );
    const repairs = tap.repairs('payments.payment.succeeded', order.paymentId);
    expect(repairs).toHaveLength(1);
    expect(repairs[0]).toMatchObject({ data: { providerPaymentId: intentId, customerId: order.customerId } });
    // The only report of this payment's success on Kafka is the repair.
    expect(tap.events('payments.payment.succeeded', order.paymentId)).toHaveLength(1);

    await expectNothingLeft('payment');
    expect(tap.repairs()).toHaveLength(1);
    customers.push(order);
  }, 300_000);

  it("delivers an order whose tracking webhooks were all dropped, on the carrier's word", async () => {
    // The label is bought (the connector publishes ShipmentCreated), then the carrier's three tracking
    // updates are lost: the platform believes the parcel on its way, EasyPost knows it delivered.
    await sim.delivery('easypost', { dropNext: 3 });
    const order = await shop.place();
    const { shipmentId } = await shop.reached(order.orderId, 'shipped');
    const drops = await waitFor("the carrier's three tracking updates dropped", async () => {
      const dropped = (await sim.deliveries()).filter(
        (d) => d.provider === 'easypost' && d.status === 'dropped',
      );
      return dropped.length === 3 && dropped;
    });
    expect(tap.events('logistics.shipment.delivered', shipmentId!)).toEqual([]);
    await settle(Math.max(...drops.map((d) => Date.parse(d.at))));

    const found = await api.run({ entity: 'shipment', mode: 'full' });
    expect(found).toMatchObject({ status: 'succeeded', mismatches: 1, repairsEmitted: 1, deferred: 0 });
    const findings = await api.findings(found.id);
    expect(findings.map(summary)).toEqual([
      { entityId: shipmentId, class: 'stale_locally', decision: 'repaired', status: 'resolved' },
    ]);
    expect(findings[0]!.diffs).toEqual([{ field: 'status', local: 'created', owner: 'delivered' }]);
    expect(await repairRows(found.id)).toBe(1);

    await shop.reached(order.orderId, 'delivered');
    // The tap reads Kafka on its own: the order may be delivered before it saw the repair.
    await waitFor('the corrective ShipmentDelivered on Kafka', () =>
      tap.repairs('logistics.shipment.delivered', shipmentId!).at(0),
    );
    expect(tap.repairs('logistics.shipment.delivered', shipmentId!)).toHaveLength(1);
    expect(tap.events('logistics.shipment.delivered', shipmentId!)).toHaveLength(1);

    await expectNothingLeft('shipment');
    expect(tap.repairs('logistics.shipment.delivered')).toHaveLength(1);
    customers.push(order);
  }, 180_000);

  it("repairs an edit made in HubSpot's UI without a webhook, with the owner's values", async () => {
    const customer = customers[0]!.customerId;
    const contact = await sim.contactOf(customer);
    await settle(await sim.editContact(contact.id, { firstname: 'Ada', lastname: 'Lovelace' }));

    const found = await api.run({ entity: 'contact', mode: 'full' });
    expect(found).toMatchObject({
      status: 'succeeded',
      compared: await contactsAtOwner(),
      mismatches: 1,
      repairsEmitted: 1,
    });
    const findings = await api.findings(found.id);
    expect(findings.map(summary)).toEqual([
      { entityId: customer, class: 'stale_locally', decision: 'repaired', status: 'resolved' },
    ]);
    expect(findings[0]!.diffs).toEqual([
      { field: 'givenName', local: null, owner: 'Ada' },
      { field: 'familyName', local: null, owner: 'Lovelace' },
    ]);
    const repair = await waitFor('the corrective ContactUpserted on Kafka', () =>
      tap.repairs('crm.contact.upserted', customer).at(0),
    );
    expect((repair as EventOf<'crm.contact.upserted'>).data).toMatchObject({
      contactId: customer,
      givenName: 'Ada',
      familyName: 'Lovelace',
      email: null,
    });
    expect(await projectionOf('contact', customer)).toMatchObject({
      fields: { givenName: 'Ada', familyName: 'Lovelace' },
    });

    await expectNothingLeft('contact');
    expect(tap.repairs('crm.contact.upserted', customer)).toHaveLength(1);
  }, 120_000);

  it("writes back a customer's stage moved back in HubSpot's UI, through the CRM connector, once", async () => {
    const { customerId: customer, orderId } = customers[0]!;
    const contact = await sim.contactOf(customer);
    expect(contact.properties).toMatchObject({
      lifecyclestage: 'customer',
      tributary_last_paid_order_id: orderId,
    });
    await settle(await sim.editContact(contact.id, { lifecyclestage: 'lead' }));

    const found = await api.run({ entity: 'contact', mode: 'full' });
    expect(found).toMatchObject({ status: 'succeeded', mismatches: 1, repairsEmitted: 1 });
    const findings = await api.findings(found.id);
    expect(findings.map(summary)).toEqual([
      { entityId: customer, class: 'stale_at_owner', decision: 'repaired', status: 'resolved' },
    ]);
    expect(findings[0]!.diffs).toEqual([{ field: 'lifecycleStage', local: 'customer', owner: 'lead' }]);
    const command = await waitFor('the write-back command on Kafka', () =>
      tap.repairs('crm.contact.write_back_requested', customer).at(0),
    );
    await waitFor(
      'HubSpot holds the stage the platform set',
      async () => (await sim.contactOf(customer)).properties.lifecyclestage === 'customer',
    );
    // One effect at HubSpot under the command's key; the platform's copy follows the connector's answer.
    expect(await sim.effectsOf(`tributary:crm:${command.id}`)).toBe(1);
    await waitFor('the connector publishes the contact as HubSpot now holds it', () =>
      tap.events('crm.contact.upserted', customer).some((e) => e.causationId === command.id),
    );

    await expectNothingLeft('contact');
    expect(tap.repairs('crm.contact.write_back_requested', customer)).toHaveLength(1);
  }, 120_000);

  it('reports only in a dry run, then repairs once through a page cut off mid-walk', async () => {
    const customer = customers[1]!.customerId;
    const contact = await sim.contactOf(customer);
    await settle(await sim.editContact(contact.id, { phone: '+49 30 1234567' }));

    const repairsBefore = await repairRows();
    const dry = await api.run({ entity: 'contact', mode: 'full', dryRun: true });
    expect(dry).toMatchObject({ status: 'succeeded', mismatches: 1, repairsEmitted: 0, repairsDryRun: 1 });
    expect((await api.findings(dry.id)).map(summary)).toEqual([
      { entityId: customer, class: 'stale_locally', decision: 'dry_run', status: 'open' },
    ]);
    expect(await repairRows()).toBe(repairsBefore);

    // Every list answer after the first is cut off mid-body, until the run has recorded a page it could not
    // read; that page is then asked for again from its checkpoint.
    await sim.fault({ route: CONTACTS_LIST, truncate: true, afterRequests: 1 });
    const started = await api.start({ entity: 'contact', mode: 'full' });
    await waitFor(
      'a page that could not be read',
      async () => (await api.show(started.id)).unverifiable > 0,
      {
        timeoutMs: 60_000,
        intervalMs: 100,
      },
    );
    await sim.clearFaults();
    const found = await api.finished(started.id);
    expect(found).toMatchObject({
      status: 'succeeded',
      compared: await contactsAtOwner(),
      deferred: 0,
      mismatches: 1,
      repairsEmitted: 1,
    });
    expect(found.unverifiable).toBeGreaterThanOrEqual(1);
    expect((await api.findings(found.id)).map(summary)).toEqual([
      { entityId: customer, class: 'stale_locally', decision: 'repaired', status: 'resolved' },
    ]);
    expect(await repairRows(found.id)).toBe(1);
    await waitFor('the corrective ContactUpserted on Kafka', () =>
      tap.repairs('crm.contact.upserted', customer).at(0),
    );
    expect(await projectionOf('contact', customer)).toMatchObject({ fields: { phone: '+49 30 1234567' } });

    await expectNothingLeft('contact');
    expect(tap.repairs('crm.contact.upserted', customer)).toHaveLength(1);
  }, 120_000);

  it('finds a payment success the projection lost, once, through a 429 in the middle of the walk', async () => {
    const { paymentId, orderId } = customers[2]!;
    // As if the payment's PaymentSucceeded events never reached the projection: pending, never agreed.
    await reconcilerDb.query(
      `UPDATE projections SET fields = fields || '{"status": "pending"}', agreed_hash = NULL
       WHERE entity = 'payment' AND entity_id = $1`,
      [paymentId],
    );
    await settle();

    // Stripe refuses the walk's second page once; the page is asked for again from the same cursor.
    await sim.fault({ route: INTENTS_LIST, status429Rate: 1, times: 1, afterRequests: 1 });
    const listedBefore = (await sim.rate('stripe', INTENTS_LIST)).requests;
    const found = await api.run({ entity: 'payment', mode: 'full' });
    expect(found).toMatchObject({
      status: 'succeeded',
      compared: (await sim.objects()).stripe.payment_intents,
      deferred: 0,
      mismatches: 1,
      repairsEmitted: 1,
    });
    expect(found.unverifiable).toBeGreaterThanOrEqual(1);
    // Every page once, the refused one twice: nothing read twice, nothing skipped.
    expect((await sim.rate('stripe', INTENTS_LIST)).requests - listedBefore).toBe(found.pages + 1);
    const findings = await api.findings(found.id);
    expect(findings.map(summary)).toEqual([
      { entityId: paymentId, class: 'stale_locally', decision: 'repaired', status: 'resolved' },
    ]);
    expect(findings[0]!.diffs).toEqual([{ field: 'status', local: 'pending', owner: 'succeeded' }]);
    expect(await repairRows(found.id)).toBe(1);
    await waitFor('the corrective PaymentSucceeded on Kafka', () =>
      tap.repairs('payments.payment.succeeded', paymentId).at(0),
    );
    // The checkout takes a repeated success as the no-op it is: the order stays delivered.
    expect(await projectionOf('payment', paymentId)).toMatchObject({ fields: { status: 'succeeded' } });
    expect((await shop.show(orderId)).status).toBe('delivered');

    await expectNothingLeft('payment');
    expect(tap.repairs('payments.payment.succeeded', paymentId)).toHaveLength(1);
  }, 120_000);

  it('archives a contact HubSpot archived, after the second full walk and once', async () => {
    const customer = customers[2]!.customerId;
    const contact = await sim.contactOf(customer);
    await settle(await sim.archiveContact(contact.id));
    const archived = () => tap.repairs('crm.contact.archived', customer);

    const first = await api.run({ entity: 'contact', mode: 'full' });
    expect(first).toMatchObject({ status: 'succeeded', mismatches: 1, repairsEmitted: 0 });
    expect((await api.findings(first.id)).map(summary)).toEqual([
      { entityId: customer, class: 'missing_at_owner', decision: 'awaiting_second_sighting', status: 'open' },
    ]);
    expect(await repairRows(first.id)).toBe(0);

    const second = await api.run({ entity: 'contact', mode: 'full' });
    expect(second).toMatchObject({ status: 'succeeded', mismatches: 1, repairsEmitted: 1 });
    expect((await api.findings(second.id)).map(summary)).toEqual([
      { entityId: customer, class: 'missing_at_owner', decision: 'repaired', status: 'resolved' },
    ]);
    expect(await repairRows(second.id)).toBe(1);
    await waitFor('the corrective ContactArchived on Kafka', () => archived().length > 0);
    expect(await projectionOf('contact', customer)).toMatchObject({ deleted: true });

    await expectNothingLeft('contact');
    expect(archived()).toHaveLength(1);
    expect(first.compared).toBe(second.compared);
  }, 120_000);

  it('restores a contact the projection lost, once', async () => {
    const customer = customers[3]!.customerId;
    const owner = await sim.contactOf(customer);
    // As if the projection never got the contact's events.
    await reconcilerDb.query(`DELETE FROM projections WHERE entity = 'contact' AND entity_id = $1`, [
      customer,
    ]);

    const found = await api.run({ entity: 'contact', mode: 'full' });
    expect(found).toMatchObject({ status: 'succeeded', mismatches: 1, repairsEmitted: 1 });
    expect((await api.findings(found.id)).map(summary)).toEqual([
      { entityId: customer, class: 'missing_locally', decision: 'repaired', status: 'resolved' },
    ]);
    const repair = await waitFor('the corrective ContactUpserted on Kafka', () =>
      tap.repairs('crm.contact.upserted', customer).at(0),
    );
    expect((repair as EventOf<'crm.contact.upserted'>).data).toMatchObject({
      contactId: customer,
      email: owner.properties.email ?? null,
      givenName: owner.properties.firstname ?? null,
    });
    expect(await projectionOf('contact', customer)).toMatchObject({ deleted: false });

    await expectNothingLeft('contact');
    expect(tap.repairs('crm.contact.upserted', customer)).toHaveLength(1);
  }, 120_000);

  it("keeps HubSpot's limits while a walk of many contacts and order traffic share the connector", async () => {
    const seeded = await seedContacts(SEEDED);
    await sim.resetRate();
    const throttledBefore = await sim.throttled();

    // Returning customers: each order upserts a contact that exists (one or two HubSpot calls).
    const returning = [customers[0]!, customers[1]!, customers[4]!, customers[5]!];
    const traffic: PlacedOrder[] = [];
    let flowing = true;
    // A steady order a second, each once the last one's payment went through (the CRM's calls ride on it):
    // about five HubSpot calls a second, a third of the connector's budget. (Orders as fast as the checkout
    // takes them cost all of it, and then the walk waits: live traffic comes first.)
    const placing = (async () => {
      for (let n = 0; flowing; n += 1) {
        const next = Date.now() + ORDER_EVERY_MS;
        const order = await shop.place(returning[n % returning.length]!.customerId);
        traffic.push(order);
        await shop.reached(order.orderId, 'shipment_requested');
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - Date.now())));
      }
    })();
    let full: Run;
    let incremental: Run;
    try {
      full = await api.run({ entity: 'contact', mode: 'full' }, 240_000);
      incremental = await api.run({ entity: 'contact', mode: 'incremental' }, 240_000);
    } finally {
      flowing = false;
      await placing;
    }
    for (const order of traffic) await shop.reached(order.orderId, 'delivered');

    expect(full).toMatchObject({ status: 'succeeded', error: null, mismatches: 0 });
    expect(full.compared + full.deferred).toBe(await contactsAtOwner());
    expect(full.compared).toBeGreaterThanOrEqual(seeded.length);
    expect(incremental).toMatchObject({ status: 'succeeded', error: null, mismatches: 0 });

    const all = await sim.rate('hubspot');
    const searches = await sim.rate('hubspot', CONTACTS_SEARCH);
    const upserts = await sim.rate('hubspot', 'POST /crm/v3/objects/contacts/batch/upsert');
    const walk = await sim.rate('hubspot', CONTACTS_LIST);
    // The walk and the traffic really ran together: seconds in which both reached HubSpot.
    const walkSeconds = new Set(walk.histogram.map((h) => h.second));
    expect(upserts.histogram.filter((h) => walkSeconds.has(h.second)).length).toBeGreaterThan(3);
    expect(searches.requests).toBeGreaterThanOrEqual(incremental.pages);
    expect(all.maxIn10s).toBeLessThanOrEqual(HUBSPOT_PER_10S);
    expect(searches.maxIn1s).toBeLessThanOrEqual(HUBSPOT_SEARCHES_PER_S);
    // HubSpot's own limits refused nothing: no 429 reached the connector, normal or low priority.
    expect(await sim.throttled()).toEqual(throttledBefore);
    process.stdout.write(
      `hubspot: ${all.requests} requests (max ${all.maxIn10s}/10 s, searches max ${searches.maxIn1s}/s), ` +
        `walk ${walk.requests} lists, ${upserts.requests} upserts from ${traffic.length} orders\n`,
    );
  }, 600_000);

  it('resumes a walk from its checkpoint after the reconciler is SIGKILLed, and repairs once', async () => {
    const [drifted] = await sim.seedContacts(1);
    await publishContacts([{ ...drifted!, index: 0 }]);
    await settle(await sim.editContact(drifted!.id, { firstname: 'Grace' }));
    // Slow pages, so the kill lands mid-walk.
    await sim.fault({ route: CONTACTS_LIST, latencyMs: 200 });

    const started = await api.start({ entity: 'contact', mode: 'full' });
    await waitFor('the walk a few pages in', async () => (await api.show(started.id)).pages >= 3, {
      timeoutMs: 60_000,
      intervalMs: 100,
    });
    const killed = await platform.apps.get('reconciliation')!.kill('SIGKILL');
    expect(killed.signal).toBe('SIGKILL');
    await platform.restart('reconciliation');
    const walked = await api.finished(started.id, 240_000);
    await sim.clearFaults();

    expect(walked).toMatchObject({ status: 'succeeded', mismatches: 1, repairsEmitted: 1 });
    expect(walked.compared + walked.deferred).toBe(await contactsAtOwner());
    expect((await api.findings(walked.id)).map(summary)).toEqual([
      { entityId: drifted!.contactId, class: 'stale_locally', decision: 'repaired', status: 'resolved' },
    ]);
    expect(await repairRows(walked.id)).toBe(1);
    // Resumed, not restarted: the first page was asked for once.
    const asked = tap.events('reconciliation.read.requested').filter((e) => e.data.runId === walked.id);
    expect(asked.filter((e) => e.data.pageNo === 1)).toHaveLength(1);
    await waitFor('the corrective ContactUpserted on Kafka', () =>
      tap.repairs('crm.contact.upserted', drifted!.contactId).at(0),
    );

    await expectNothingLeft('contact');
    expect(tap.repairs('crm.contact.upserted', drifted!.contactId)).toHaveLength(1);
  }, 480_000);

  it('stops on mass drift and repairs nothing', async () => {
    const edited = seededContacts.slice(0, 40);
    let latest = 0;
    for (const contact of edited) latest = await sim.editContact(contact.id, { lastname: 'Renamed' });
    await settle(latest);

    const repairsBefore = await repairRows();
    const tripped = await api.run({ entity: 'contact', mode: 'full' });
    expect(tripped).toMatchObject({ status: 'guardrail_tripped', repairsEmitted: 0 });
    expect(tripped.error).toMatch(/compared records disagree/);
    const findings = await api.findings(tripped.id);
    expect(findings.length).toBeGreaterThan(0);
    expect(new Set(findings.map((f) => f.decision))).toEqual(new Set(['suppressed']));
    expect(findings.length).toBe(tripped.repairsSuppressed);
    expect(await repairRows()).toBe(repairsBefore);
  }, 240_000);

  /** Contacts at HubSpot and, as if the CRM connector had published them, in the platform. */
  async function seedContacts(count: number) {
    const objects = await sim.seedContacts(count);
    await publishContacts(objects.map((o, index) => ({ ...o, index })));
    seededContacts.push(...objects);
    return objects;
  }

  async function publishContacts(
    contacts: Array<{ contactId: string; email: string; lastmodifieddate: string; index: number }>,
  ) {
    const kafka = createKafkaClient({ clientId: 'reconciliation-e2e-seed', brokers: stack.kafka.brokers });
    const producer = new KafkaEventProducer(kafka, {
      encoder: new AvroEventEncoder({
        registry: new SchemaRegistryClient({ url: stack.registry.url }),
        definitions: Object.values(eventCatalogue).map((d) => ({ ...d, topic: `${run}.${d.topic}` })),
      }),
    });
    await producer.connect();
    try {
      for (const c of contacts) {
        const event: EventOf<'crm.contact.upserted'> = {
          id: uuidv7(),
          type: 'crm.contact.upserted',
          source: '/tributary/connector-crm',
          subject: c.contactId,
          time: c.lastmodifieddate,
          data: {
            contactId: c.contactId,
            email: c.email,
            phone: null,
            givenName: 'Seed',
            familyName: `Contact ${c.index}`,
            locale: null,
            marketingConsent: false,
            updatedAt: Date.parse(c.lastmodifieddate),
          },
        };
        await producer.publish(event);
      }
    } finally {
      await producer.disconnect();
    }
    await waitFor(
      `${contacts.length} contacts in the projection`,
      async () =>
        (
          await reconcilerDb.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM projections WHERE entity = 'contact' AND entity_id = ANY($1)`,
            [contacts.map((c) => c.contactId)],
          )
        ).rows[0]!.n === contacts.length,
      60_000,
    );
  }
});
