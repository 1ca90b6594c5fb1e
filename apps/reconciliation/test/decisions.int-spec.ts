import { randomUUID } from 'node:crypto';
import { servedRoutes } from '@tributary/service-kit/nest';
import { waitFor } from '@tributary/testkit';
import { openApi } from '../src/http/openapi.js';
import { environment, domainEvent, FakeOwner, finishedRun, startReconciler } from './support/reconciler.js';
import type { Environment, Reconciler } from './support/reconciler.js';

/**
 * Decisions that need more than one run or a person: conflicts, deletions, a run resumed by another
 * process, duplicate links; and the API's contract.
 */
describe('reconciliation decisions', () => {
  let env: Environment;
  let reconciler: Reconciler;
  let hubspot: FakeOwner;

  beforeAll(async () => {
    env = await environment('decisions', { RECONCILE_REPAIR_ENTITIES: 'contact' });
    reconciler = await startReconciler(env);
    hubspot = new FakeOwner(env, 'contact');
    await hubspot.start();
  });

  afterAll(async () => {
    await hubspot?.stop();
    await reconciler?.close();
    await env?.close();
  });

  const minutesAgo = (n: number) => Date.now() - n * 60_000;
  const fieldsOf = (id: string, givenName: string) => ({
    email: `${id.slice(0, 6)}@example.com`,
    givenName,
    familyName: 'Lovelace',
    phone: null,
    marketingConsent: 'true',
  });
  const upserted = (id: string, givenName: string, at: number) =>
    domainEvent('crm.contact.upserted', id, {
      contactId: id,
      email: `${id.slice(0, 6)}@example.com`,
      phone: null,
      givenName,
      familyName: 'Lovelace',
      locale: null,
      marketingConsent: true,
      updatedAt: at,
    });
  const ownerHas = (id: string, givenName: string, deleted = false) =>
    hubspot.set({
      externalId: `hs-${id}`,
      internalId: id,
      ownerUpdatedAt: minutesAgo(5),
      deleted,
      fields: fieldsOf(id, givenName),
    });
  const projected = (id: string, givenName: string) =>
    waitFor(
      `contact ${id} projected as ${givenName}`,
      async () =>
        (
          await env.pool.query(
            `SELECT 1 FROM projections WHERE entity = 'contact' AND entity_id = $1 AND fields->>'givenName' = $2`,
            [id, givenName],
          )
        ).rowCount === 1,
      60_000,
    );
  const run = async (body: Record<string, unknown>) => {
    const started = await reconciler.api('POST', '/v1/runs', body);
    expect(started.status).toBe(202);
    return finishedRun(reconciler, started.body.id as string);
  };
  const findingsOf = async (runId: unknown) =>
    (await reconciler.api('GET', `/v1/findings?runId=${String(runId)}&limit=500`)).body.items as Array<
      Record<string, unknown>
    >;
  const outboxCount = async (type: string) =>
    (
      await env.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM outbox WHERE headers->>'ce_type' = $1`,
        [type],
      )
    ).rows[0]!.n;

  it('leaves a conflict to a person: approving it repairs once, audited; dismissing one records why', async () => {
    hubspot.records.clear();
    const [first, second] = [randomUUID(), randomUUID()];
    for (const id of [first, second]) {
      await env.producer.publish(upserted(id, 'Ada', minutesAgo(60)));
      ownerHas(id, 'Ada');
      await projected(id, 'Ada');
    }
    // Both sides agree once; then each moves its own way.
    expect(await run({ entity: 'contact', mode: 'full' })).toMatchObject({
      status: 'succeeded',
      mismatches: 0,
    });
    for (const id of [first, second]) {
      await env.producer.publish(upserted(id, 'Augusta', minutesAgo(1)));
      ownerHas(id, 'Countess');
      await projected(id, 'Augusta');
    }
    const found = await run({ entity: 'contact', mode: 'full' });
    expect(found).toMatchObject({ status: 'succeeded', mismatches: 2, repairsEmitted: 0 });
    const conflicts = await findingsOf(found.id);
    expect(conflicts.map((f) => [f.class, f.decision])).toEqual([
      ['conflict', 'pending_approval'],
      ['conflict', 'pending_approval'],
    ]);
    const [toApprove, toDismiss] = conflicts as [Record<string, unknown>, Record<string, unknown>];
    const before = await outboxCount('crm.contact.upserted');
    const approved = await reconciler.api('POST', `/v1/findings/${toApprove.id as string}/approve`, {
      reason: 'the CRM team confirmed the new name',
    });
    expect(approved).toMatchObject({
      status: 200,
      body: { decision: 'approved', status: 'resolved', decidedBy: 'api-key:ops' },
    });
    expect(await outboxCount('crm.contact.upserted')).toBe(before + 1);
    const again = await reconciler.api('POST', `/v1/findings/${toApprove.id as string}/approve`, {
      reason: 'twice',
    });
    expect(again).toMatchObject({ status: 409, body: { code: 'RECONCILIATION_FINDING_STATE_CONFLICT' } });
    const dismissed = await reconciler.api('POST', `/v1/findings/${toDismiss.id as string}/dismiss`, {
      reason: 'our copy is right; the CRM will be corrected by hand',
    });
    expect(dismissed.body).toMatchObject({ decision: 'dismissed', status: 'dismissed' });
    expect(await outboxCount('crm.contact.upserted')).toBe(before + 1);
    const audit = await env.pool.query<{ action: string; actor: string }>(
      `SELECT action, actor FROM audit_log WHERE target = ANY($1) ORDER BY at`,
      [[`contact:${toApprove.entityId as string}`, `contact:${toDismiss.entityId as string}`]],
    );
    expect(audit.rows).toEqual([
      { action: 'reconciliation.repair', actor: 'api-key:ops' },
      { action: 'reconciliation.dismiss', actor: 'api-key:ops' },
    ]);
  });

  it('writes back what the platform owns when the CRM changed it: once per CRM version, until the CRM holds it', async () => {
    const customer = randomUUID();
    const ofCustomer = async (runId: unknown) =>
      (await findingsOf(runId)).filter((f) => f.entityId === customer);
    await env.producer.publish(upserted(customer, 'Ada', minutesAgo(60)));
    await env.producer.publish(
      domainEvent('payments.payment.succeeded', 'pay-1', {
        paymentId: randomUUID(),
        orderId: 'order-7',
        customerId: customer,
        amountMinor: 1999,
        currency: 'EUR',
        provider: 'stripe',
        providerPaymentId: 'pi_7',
        feeAmountMinor: null,
        succeededAt: minutesAgo(30),
      }),
    );
    await waitFor(
      'the payment stated at the contact',
      async () =>
        (await env.pool.query(`SELECT 1 FROM platform_owned WHERE entity_id = $1`, [customer])).rowCount ===
        1,
      60_000,
    );
    // A sales rep moved the stage back in HubSpot's UI; the owned fields still agree.
    const heldAt = (stage: string, version: number) =>
      hubspot.set({
        externalId: `hs-${customer}`,
        internalId: customer,
        ownerUpdatedAt: version,
        deleted: false,
        fields: { ...fieldsOf(customer, 'Ada'), lifecycleStage: stage, lastPaidOrderId: 'order-7' },
      });
    heldAt('lead', minutesAgo(5));
    const before = await outboxCount('crm.contact.write_back_requested');
    const upsertedBefore = await outboxCount('crm.contact.upserted');
    const found = await run({ entity: 'contact', mode: 'full' });
    expect(found).toMatchObject({ status: 'succeeded', repairsEmitted: 1 });
    const findings = await ofCustomer(found.id);
    expect(findings.map((f) => [f.class, f.decision, f.status, f.diffs])).toEqual([
      [
        'stale_at_owner',
        'repaired',
        'resolved',
        [{ field: 'lifecycleStage', local: 'customer', owner: 'lead' }],
      ],
    ]);
    // Keyed by the contact, so it keeps its order with the contact's other events.
    const commands = await env.pool.query(
      `SELECT 1 FROM outbox WHERE headers->>'ce_type' = 'crm.contact.write_back_requested' AND key = $1`,
      [customer],
    );
    expect(commands.rowCount).toBe(1);
    expect(await outboxCount('crm.contact.write_back_requested')).toBe(before + 1);
    // Our copy is not touched: the connector's write comes back as an event of its own.
    expect(upsertedBefore).toBe(await outboxCount('crm.contact.upserted'));

    // The same CRM version judged again: found again, written back no second time.
    const again = await run({ entity: 'contact', mode: 'full' });
    expect((await ofCustomer(again.id)).map((f) => [f.class, f.seenCount])).toEqual([['stale_at_owner', 1]]);
    expect(again).toMatchObject({ repairsEmitted: 0 });
    expect(await outboxCount('crm.contact.write_back_requested')).toBe(before + 1);

    // The connector wrote it back: HubSpot holds it again, and nothing is left to find.
    heldAt('customer', minutesAgo(1));
    const settled = await run({ entity: 'contact', mode: 'full' });
    expect(settled).toMatchObject({ status: 'succeeded', repairsEmitted: 0 });
    expect(await ofCustomer(settled.id)).toEqual([]);
    expect(await outboxCount('crm.contact.write_back_requested')).toBe(before + 1);
  });

  it('archives a contact the owner no longer holds only after a second complete walk misses it', async () => {
    const gone = randomUUID();
    const kept = randomUUID();
    for (const id of [gone, kept]) {
      await env.producer.publish(upserted(id, 'Grace', minutesAgo(60)));
      await projected(id, 'Grace');
    }
    ownerHas(kept, 'Grace');
    const archivedBefore = await outboxCount('crm.contact.archived');
    const first = await run({ entity: 'contact', mode: 'full' });
    const missing = (await findingsOf(first.id)).filter((f) => f.entityId === gone);
    expect(missing.map((f) => [f.class, f.decision, f.seenCount])).toEqual([
      ['missing_at_owner', 'awaiting_second_sighting', 1],
    ]);
    expect(await outboxCount('crm.contact.archived')).toBe(archivedBefore);
    // An incremental walk cannot see deletions: it concludes nothing.
    const incremental = await run({ entity: 'contact', mode: 'incremental' });
    expect((await findingsOf(incremental.id)).filter((f) => f.entityId === gone)).toEqual([]);
    const second = await run({ entity: 'contact', mode: 'full' });
    expect(second.status).toBe('succeeded');
    expect(await outboxCount('crm.contact.archived')).toBe(archivedBefore + 1);
    const third = await run({ entity: 'contact', mode: 'full' });
    expect((await findingsOf(third.id)).filter((f) => f.entityId === gone)).toEqual([]);
    expect(await outboxCount('crm.contact.archived')).toBe(archivedBefore + 1);
  });

  it('archives a contact the owner lists as deleted only when a second walk lists it so too', async () => {
    const binned = randomUUID();
    await env.producer.publish(upserted(binned, 'Mary', minutesAgo(60)));
    await projected(binned, 'Mary');
    // Still listed by the owner, from its recycling bin: HubSpot's full walk reads the bin too.
    ownerHas(binned, 'Mary', true);
    const sightings = async (runId: unknown) =>
      (await findingsOf(runId))
        .filter((f) => f.entityId === binned)
        .map((f) => [f.class, f.decision, f.seenCount]);
    const archivedBefore = await outboxCount('crm.contact.archived');
    const first = await run({ entity: 'contact', mode: 'full' });
    expect(await sightings(first.id)).toEqual([['missing_at_owner', 'awaiting_second_sighting', 1]]);
    expect(await outboxCount('crm.contact.archived')).toBe(archivedBefore);
    const second = await run({ entity: 'contact', mode: 'full' });
    expect(await sightings(second.id)).toEqual([['missing_at_owner', 'repaired', 2]]);
    expect(await outboxCount('crm.contact.archived')).toBe(archivedBefore + 1);
  });

  it('resumes a walk another process left at its checkpoint, and repairs once', async () => {
    const ids = Array.from({ length: 8 }, () => randomUUID());
    for (const id of ids) {
      await env.producer.publish(upserted(id, 'Old', minutesAgo(60)));
      ownerHas(id, id === ids[0] || id === ids[7] ? 'New' : 'Old');
    }
    for (const id of ids) await projected(id, 'Old');
    let held = false;
    hubspot.behaviour = (request) => {
      // The reconciler "dies" while page 2 is being read: the answer never comes.
      if (request.pageNo === 2 && !held) {
        held = true;
        return 'ignore';
      }
      return 'answer';
    };
    const started = await reconciler.api('POST', '/v1/runs', { entity: 'contact', mode: 'ids', ids });
    const runId = started.body.id as string;
    await waitFor('page 2 asked for', () => held, 30_000);
    await reconciler.close();
    reconciler = await startReconciler(env);
    const finished = await finishedRun(reconciler, runId);
    expect(finished).toMatchObject({
      status: 'succeeded',
      pages: 3,
      compared: 8,
      mismatches: 2,
      repairsEmitted: 2,
    });
    const pages = hubspot.requests.filter((r) => r.runId === runId).map((r) => [r.pageNo, r.cursor]);
    // Page 1 once, page 2 twice from the same checkpoint (the second time by the new process), page 3 once.
    expect(pages).toEqual([
      [1, null],
      [2, '3'],
      [2, '3'],
      [3, '6'],
    ]);
    const repaired = await env.pool.query(
      `SELECT entity_id FROM repairs WHERE entity = 'contact' AND entity_id = ANY($1)`,
      [ids],
    );
    expect(repaired.rows.map((r: { entity_id: string }) => r.entity_id).sort()).toEqual(
      [ids[0], ids[7]].sort(),
    );
  });

  it('answers problem documents, and serves exactly the documented routes', async () => {
    expect(await reconciler.api('GET', `/v1/runs/${randomUUID()}`)).toMatchObject({
      status: 404,
      body: { code: 'RECONCILIATION_RUN_NOT_FOUND' },
    });
    expect((await reconciler.api('POST', '/v1/runs', { entity: 'invoice' })).body.code).toBe(
      'REQUEST_INVALID',
    );
    expect((await reconciler.api('GET', '/v1/findings?cursor=bm9wZQ')).body.code).toBe(
      'RECONCILIATION_CURSOR_INVALID',
    );
    const unauthenticated = await fetch(`${reconciler.url}/v1/runs`);
    expect(unauthenticated.status).toBe(401);
    const paths = (openApi() as { paths: Record<string, object> }).paths;
    const documented = Object.entries(paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
    );
    const platform = ['GET /docs/openapi.json', 'GET /health/live', 'GET /health/ready', 'GET /metrics'];
    expect(servedRoutes(reconciler.app).filter((r) => !platform.includes(r))).toEqual(documented.sort());
  });
});
