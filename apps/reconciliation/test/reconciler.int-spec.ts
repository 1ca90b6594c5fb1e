import { randomUUID } from 'node:crypto';
import { waitFor } from '@tributary/testkit';
import { environment, domainEvent, FakeOwner, finishedRun, startReconciler } from './support/reconciler.js';
import type { Environment, Reconciler } from './support/reconciler.js';

/**
 * The reconciler on the real stack (Kafka, the registry, Postgres), the test playing the owner's connector:
 * it answers each page request from an in-memory owner. What the runs decide, and what reaches Kafka, is
 * counted.
 */
describe('reconciliation runs', () => {
  let env: Environment;
  let reconciler: Reconciler;
  let stripe: FakeOwner;
  let hubspot: FakeOwner;

  beforeAll(async () => {
    env = await environment('reconciler', { RECONCILE_REPAIR_ENTITIES: 'payment,contact' });
    reconciler = await startReconciler(env);
    stripe = new FakeOwner(env, 'payment');
    hubspot = new FakeOwner(env, 'contact');
    await Promise.all([stripe.start(), hubspot.start()]);
  });

  afterAll(async () => {
    await Promise.all([stripe?.stop(), hubspot?.stop()]);
    await reconciler?.close();
    await env?.close();
  });

  /** Waits until the projection holds these records as the events stated them. */
  const projected = (entity: string, ids: string[], where = 'true') =>
    waitFor(
      `projection of ${ids.length} ${entity}s`,
      async () => {
        const rows = await env.pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM projections WHERE entity = $1 AND entity_id = ANY($2) AND ${where}`,
          [entity, ids],
        );
        return rows.rows[0]!.n === ids.length;
      },
      60_000,
    );

  const repairsInOutbox = async (topic: string) =>
    (
      await env.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox WHERE topic = $1`, [
        `${env.prefix}${topic}`,
      ])
    ).rows[0]!.n;

  const startRun = async (body: Record<string, unknown>) => {
    const started = await reconciler.api('POST', '/v1/runs', body);
    expect(started.status).toBe(202);
    return finishedRun(reconciler, started.body.id as string);
  };

  const minutesAgo = (n: number) => Date.now() - n * 60_000;

  it('repairs each drifted payment once with the owner state, and a second run finds nothing', async () => {
    const ids = Array.from({ length: 6 }, () => randomUUID());
    const [dropped, agreed, declined, , collected, settled] = ids as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const orderOf = (id: string) => `order-${id.slice(0, 8)}`;
    for (const id of ids) {
      await env.producer.publish(
        domainEvent('payments.payment.requested', id, {
          paymentId: id,
          orderId: orderOf(id),
          customerId: 'customer-1',
          amountMinor: 1000,
          currency: 'EUR',
          paymentMethod: null,
          description: null,
          requestedAt: minutesAgo(30),
        }),
      );
    }
    await env.producer.publish(
      domainEvent('payments.payment.succeeded', settled, {
        paymentId: settled,
        orderId: orderOf(settled),
        customerId: 'customer-1',
        amountMinor: 1000,
        currency: 'EUR',
        provider: 'stripe',
        providerPaymentId: `pi_${settled}`,
        feeAmountMinor: null,
        succeededAt: minutesAgo(20),
      }),
    );
    await projected('payment', ids);
    await projected('payment', [settled], `fields->>'status' = 'succeeded'`);

    const record = (id: string, status: string, extra: Record<string, string> = {}) =>
      stripe.set({
        externalId: `pi_${id}`,
        internalId: id,
        ownerUpdatedAt: minutesAgo(10),
        deleted: false,
        fields: { status, amountMinor: '1000', currency: 'EUR', orderId: orderOf(id), ...extra },
      });
    record(dropped, 'succeeded'); // its webhook never arrived
    record(agreed, 'pending');
    record(declined, 'failed');
    record(collected, 'succeeded');
    record(settled, 'succeeded');
    const unknown = randomUUID(); // a payment the platform never heard of
    record(unknown, 'succeeded');

    const run = await startRun({ entity: 'payment', mode: 'incremental' });
    expect(run).toMatchObject({
      status: 'succeeded',
      pages: 2,
      compared: 6,
      mismatches: 4,
      repairsEmitted: 4,
      repairsSuppressed: 0,
      dryRun: false,
    });
    expect(await repairsInOutbox('payments.payment.v1')).toBe(4);
    const findings = (await reconciler.api('GET', `/v1/findings?runId=${run.id as string}`)).body
      .items as Array<Record<string, unknown>>;
    expect(
      findings
        .map((f) => [f.entityId, f.class, f.decision, f.status])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    ).toEqual(
      [
        [dropped, 'stale_locally', 'repaired', 'resolved'],
        [declined, 'stale_locally', 'repaired', 'resolved'],
        [collected, 'stale_locally', 'repaired', 'resolved'],
        [unknown, 'missing_locally', 'repaired', 'resolved'],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    const dropFinding = findings.find((f) => f.entityId === dropped)!;
    expect(dropFinding.diffs).toEqual([{ field: 'status', local: 'pending', owner: 'succeeded' }]);

    const again = await startRun({ entity: 'payment', mode: 'incremental' });
    expect(again).toMatchObject({ status: 'succeeded', compared: 6, mismatches: 0, repairsEmitted: 0 });
    expect(await repairsInOutbox('payments.payment.v1')).toBe(4);
  });

  it('never moves a payment to the order the owner names: an order id edited there waits for a person', async () => {
    const id = randomUUID();
    const payment = {
      paymentId: id,
      orderId: 'order-ours',
      customerId: 'customer-2',
      amountMinor: 1000,
      currency: 'EUR',
    };
    await env.producer.publish(
      domainEvent('payments.payment.requested', id, {
        ...payment,
        paymentMethod: null,
        description: null,
        requestedAt: minutesAgo(30),
      }),
    );
    await env.producer.publish(
      domainEvent('payments.payment.succeeded', id, {
        ...payment,
        provider: 'stripe',
        providerPaymentId: `pi_${id}`,
        feeAmountMinor: null,
        succeededAt: minutesAgo(20),
      }),
    );
    await projected('payment', [id], `fields->>'status' = 'succeeded'`);
    // Someone edited the intent's metadata in Stripe's dashboard.
    stripe.set({
      externalId: `pi_${id}`,
      internalId: id,
      ownerUpdatedAt: minutesAgo(10),
      deleted: false,
      fields: { status: 'succeeded', amountMinor: '1000', currency: 'EUR', orderId: 'order-theirs' },
    });
    const before = await repairsInOutbox('payments.payment.v1');

    const run = await startRun({ entity: 'payment', mode: 'ids', ids: [id] });
    expect(run).toMatchObject({ status: 'succeeded', compared: 1, mismatches: 1, repairsEmitted: 0 });
    const findings = (await reconciler.api('GET', `/v1/findings?runId=${run.id as string}`)).body
      .items as Array<Record<string, unknown>>;
    expect(findings.map((f) => [f.class, f.decision, f.status, f.diffs])).toEqual([
      [
        'stale_at_owner',
        'pending_approval',
        'open',
        [{ field: 'orderId', local: 'order-ours', owner: 'order-theirs' }],
      ],
    ]);
    expect(await repairsInOutbox('payments.payment.v1')).toBe(before);
    const stored = await env.pool.query<{ order_id: string }>(
      `SELECT fields->>'orderId' AS order_id FROM projections WHERE entity = 'payment' AND entity_id = $1`,
      [id],
    );
    expect(stored.rows).toEqual([{ order_id: 'order-ours' }]);
  });

  it('asks again for a page the owner could not serve, from the same cursor, and loses nothing', async () => {
    const ids = Array.from({ length: 7 }, () => randomUUID());
    for (const id of ids) {
      hubspot.set({
        externalId: `hs-${id}`,
        internalId: id,
        ownerUpdatedAt: minutesAgo(5),
        deleted: false,
        fields: {
          email: `${id.slice(0, 6)}@example.com`,
          givenName: 'A',
          familyName: 'B',
          phone: null,
          marketingConsent: 'false',
        },
      });
    }
    let failed = false;
    hubspot.behaviour = (request) => {
      if (request.pageNo === 2 && !failed) {
        failed = true;
        return 'fail';
      }
      return 'answer';
    };
    const run = await startRun({ entity: 'contact', mode: 'full', dryRun: true });
    expect(run).toMatchObject({ status: 'succeeded', pages: 3, compared: 7, unverifiable: 1, mismatches: 7 });
    const page2 = hubspot.requests.filter((r) => r.runId === run.id && r.pageNo === 2);
    expect(page2.map((r) => r.cursor)).toEqual(['3', '3']);
    // A dry run reports and emits nothing.
    expect(run).toMatchObject({ repairsEmitted: 0, repairsDryRun: 7 });
    expect(await repairsInOutbox('crm.contact.v1')).toBe(0);
  });

  it('waits out a rate limit however often it holds a page back, and gives up on a page that keeps failing', async () => {
    const ids = Array.from({ length: 4 }, () => randomUUID());
    for (const id of ids) {
      stripe.set({
        externalId: `pi-${id}`,
        internalId: id,
        ownerUpdatedAt: minutesAgo(5),
        deleted: false,
        fields: { status: 'succeeded', amountMinor: '100', currency: 'eur' },
      });
    }
    // Throttled more often than a failing page may fail (six times): back-pressure, not a broken read.
    let throttled = 0;
    stripe.behaviour = (request) => (request.pageNo === 2 && throttled++ < 8 ? 'throttle' : 'answer');
    const waited = await startRun({ entity: 'payment', mode: 'full', dryRun: true });
    expect(waited).toMatchObject({ status: 'succeeded', error: null, unverifiable: 8 });
    const page2 = (run: string) => stripe.requests.filter((r) => r.runId === run && r.pageNo === 2);
    expect(page2(waited.id as string)).toHaveLength(9);

    stripe.behaviour = (request) => (request.pageNo === 2 ? 'fail' : 'answer');
    const failed = await startRun({ entity: 'payment', mode: 'full', dryRun: true });
    expect(failed).toMatchObject({ status: 'failed', unverifiable: 6 });
    expect(failed.error).toBe('page 2 could not be read 6 times: PROVIDER_UNAVAILABLE simulated 503');
    expect(page2(failed.id as string)).toHaveLength(6);
    stripe.behaviour = () => 'answer';
  }, 120_000);

  it('stops on mass drift and repairs nothing', async () => {
    hubspot.records.clear();
    hubspot.behaviour = () => 'answer';
    const ids = Array.from({ length: 24 }, () => randomUUID());
    for (const id of ids) {
      await env.producer.publish(
        domainEvent('crm.contact.upserted', id, {
          contactId: id,
          email: `${id.slice(0, 6)}@example.com`,
          phone: null,
          givenName: 'Old',
          familyName: 'Name',
          locale: null,
          marketingConsent: false,
          updatedAt: minutesAgo(60),
        }),
      );
      hubspot.set({
        externalId: `hs-${id}`,
        internalId: id,
        ownerUpdatedAt: minutesAgo(5),
        deleted: false,
        fields: {
          email: `${id.slice(0, 6)}@example.com`,
          givenName: 'New',
          familyName: 'Name',
          phone: null,
          marketingConsent: 'false',
        },
      });
    }
    await projected('contact', ids);
    const run = await startRun({ entity: 'contact', mode: 'incremental' });
    expect(run.status).toBe('guardrail_tripped');
    expect(String(run.error)).toMatch(/compared records disagree/);
    expect(run.repairsEmitted).toBe(0);
    expect(await repairsInOutbox('crm.contact.v1')).toBe(0);
    const suppressed = (
      await reconciler.api('GET', `/v1/findings?runId=${run.id as string}&decision=suppressed`)
    ).body.items as unknown[];
    expect(suppressed.length).toBe(run.repairsSuppressed);
  });
});
