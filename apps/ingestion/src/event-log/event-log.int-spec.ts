import { randomUUID } from 'node:crypto';
import { STRIPE_METADATA } from '@tributary/webhooks';
import { startIngestion, testEnvironment } from '../../test/support/ingestion.js';
import type { RunningIngestion, TestEnvironment } from '../../test/support/ingestion.js';
import { readTopics } from '../../test/support/kafka.js';
import type { TopicReader } from '../../test/support/kafka.js';
import { post, signedStripe, stripeSucceeded } from '../../test/support/webhooks.js';

describe('event log and replay', () => {
  let environment: TestEnvironment;
  let ingestion: RunningIngestion;
  let payments: TopicReader;
  let operator: string;
  let readOnly: string;

  const get = async (path: string, token = operator) => {
    const response = await fetch(`${ingestion.url}${path}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const replay = (path: string, body: unknown, token = operator) =>
    post(`${ingestion.url}${path}`, {
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    });
  const deliver = async (event: ReturnType<typeof stripeSucceeded> | Record<string, unknown>) => {
    const response = await post(`${ingestion.url}/webhooks/stripe`, signedStripe(event));
    expect(response.status).toBe(202);
    return (response.body['entries'] as Array<{ id: string; eventIds: string[]; status: string }>)[0]!;
  };

  beforeAll(async () => {
    environment = await testEnvironment('ingestion_eventlog', {
      REPLAY_RATE_BURST: '100',
      REPLAY_MAX_ENTRIES: '5',
      // The manual replay tests need entries that stay unresolved; one test turns the retry on.
      UNRESOLVED_RETRY_INTERVAL_MS: '0',
    });
    ingestion = await startIngestion(environment);
    operator = await ingestion.createApiKey(['events:read', 'events:replay'], { name: 'sre-alice' });
    readOnly = await ingestion.createApiKey(['events:read'], { name: 'dashboard' });
    payments = await readTopics(
      [`${environment.topicPrefix}payments.payment.v1`],
      `${environment.topicPrefix}log`,
    );
  });

  afterAll(async () => {
    await payments?.stop();
    await ingestion?.close();
    await environment?.close();
  });

  it('lists entries newest first with filters and a cursor, and shows one with the delivery of its events', async () => {
    const delivered = [];
    for (let i = 0; i < 3; i++) delivered.push(await deliver(stripeSucceeded()));
    const unknown = await deliver({
      ...stripeSucceeded(),
      type: 'charge.dispute.created',
      data: { object: { id: 'dp_1' } },
    });

    const page1 = await get('/v1/event-log?provider=stripe&status=mapped&limit=2');
    expect(page1.status).toBe(200);
    const items1 = page1.body['items'] as Array<{ id: string }>;
    expect(items1.map((i) => i.id)).toEqual([delivered[2]!.id, delivered[1]!.id]);
    const page2 = await get(
      `/v1/event-log?provider=stripe&status=mapped&limit=2&cursor=${String(page1.body['nextCursor'])}`,
    );
    expect((page2.body['items'] as Array<{ id: string }>).map((i) => i.id)).toContain(delivered[0]!.id);

    const byType = await get('/v1/event-log?type=charge.dispute.created');
    expect(byType.body['items']).toEqual([
      expect.objectContaining({ id: unknown.id, status: 'unknown_type', eventIds: [] }),
    ]);
    const future = await get(
      `/v1/event-log?from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`,
    );
    expect(future.body['items']).toEqual([]);
    expect((await get('/v1/event-log?status=bogus')).body['code']).toBe('REQUEST_INVALID');
    expect((await get('/v1/event-log?cursor=bm9wZQ')).body['code']).toBe('REQUEST_INVALID');

    await payments.waitForIds(delivered[0]!.eventIds);
    const shown = await get(`/v1/event-log/${delivered[0]!.id}`, readOnly);
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({
      id: delivered[0]!.id,
      provider: 'stripe',
      payload: { type: 'payment_intent.succeeded' },
    });
    expect(shown.body['events']).toEqual([
      expect.objectContaining({
        eventId: delivered[0]!.eventIds[0],
        type: 'payments.payment.succeeded',
        delivery: 'published',
      }),
    ]);
    expect((await get(`/v1/event-log/${randomUUID()}`)).body['code']).toBe('EVENT_LOG_ENTRY_NOT_FOUND');
  });

  it('replays an entry with its original ce_id, marked as a replay, and audits who, when, why and what', async () => {
    const entry = await deliver(stripeSucceeded());
    const eventId = entry.eventIds[0]!;
    await payments.waitForIds([eventId]);

    const refused = await replay(
      `/v1/event-log/${entry.id}/replay`,
      { reason: 'consumer lost state' },
      readOnly,
    );
    expect({ status: refused.status, code: refused.body['code'] }).toEqual({
      status: 403,
      code: 'API_KEY_SCOPE_MISSING',
    });
    expect((await replay(`/v1/event-log/${entry.id}/replay`, {})).body['code']).toBe('REQUEST_INVALID');

    const replayed = await replay(`/v1/event-log/${entry.id}/replay`, { reason: 'consumer lost state' });
    expect(replayed.status).toBe(202);
    expect(replayed.body).toMatchObject({ entries: 1, republished: 1, remapped: 0, eventIds: [eventId] });

    await payments.waitFor(() => (payments.counts.get(eventId) ?? 0) >= 2);
    expect(payments.headers.get(eventId)).toMatchObject({ 'tributary-replay-id': replayed.body['replayId'] });
    const [audit] = (await ingestion.dataSource.query(
      `SELECT actor, action, reason, target, details, at FROM audit_log WHERE details->>'replayId' = $1`,
      [replayed.body['replayId']],
    )) as Array<{
      actor: string;
      action: string;
      reason: string;
      target: string;
      details: { eventIds: string[] };
      at: Date;
    }>;
    expect(audit).toMatchObject({
      actor: expect.stringMatching(/^api-key:sre-alice\/[0-9a-f]{16}$/),
      action: 'event_log.replay',
      reason: 'consumer lost state',
      target: `event-log/${entry.id}`,
      details: { eventIds: [eventId] },
    });
    expect((await get(`/v1/event-log/${entry.id}`)).body['replayCount']).toBe(1);
  });

  it('maps an entry again once its missing reference exists, producing the event it could not before', async () => {
    const paymentId = randomUUID();
    const event = stripeSucceeded();
    delete (event.data.object.metadata as Record<string, string>)[STRIPE_METADATA.paymentId];
    const since = new Date(Date.now() - 1);
    const entry = await deliver(event);
    expect(entry.status).toBe('unresolved');
    await ingestion.dataSource.query(
      `INSERT INTO external_refs (provider, external_type, external_id, internal_id) VALUES ('stripe', 'payment_intent', $1, $2)`,
      [event.data.object.id, paymentId],
    );
    const replayed = await replay('/v1/event-log/replay', {
      provider: 'stripe',
      from: since.toISOString(),
      to: new Date(Date.now() + 1_000).toISOString(),
      reason: 'payment intent ref backfilled',
    });
    expect(replayed.status).toBe(202);
    expect(replayed.body).toMatchObject({ remapped: 1 });
    const shown = await get(`/v1/event-log/${entry.id}`);
    expect(shown.body).toMatchObject({ status: 'mapped', replayCount: 1 });
    const [produced] = shown.body['eventIds'] as string[];
    await payments.waitForIds([produced!]);
    expect(payments.headers.get(produced!)).toMatchObject({
      ce_subject: paymentId,
      'correlation-id': entry.id,
    });
  });

  it('maps an unresolved webhook by itself once the reference it names is recorded, audited as the system', async () => {
    const auto = await startIngestion(environment, { UNRESOLVED_RETRY_INTERVAL_MS: '200' });
    try {
      const paymentId = randomUUID();
      const event = stripeSucceeded();
      delete (event.data.object.metadata as Record<string, string>)[STRIPE_METADATA.paymentId];
      const response = await post(`${auto.url}/webhooks/stripe`, signedStripe(event));
      expect(response.status).toBe(202);
      const entry = (response.body['entries'] as Array<{ id: string; status: string }>)[0]!;
      expect(entry.status).toBe('unresolved');
      // The connector records the PaymentIntent after the callback arrived.
      await ingestion.dataSource.query(
        `INSERT INTO external_refs (provider, external_type, external_id, internal_id) VALUES ('stripe', 'payment_intent', $1, $2)`,
        [event.data.object.id, paymentId],
      );
      await payments.waitFor(() => [...payments.headers.values()].some((h) => h['ce_subject'] === paymentId));
      const shown = await get(`/v1/event-log/${entry.id}`);
      expect(shown.body).toMatchObject({ status: 'mapped', replayCount: 1 });
      const [audit] = (await ingestion.dataSource.query(
        `SELECT actor, action FROM audit_log WHERE details->'entryIds' ? $1`,
        [entry.id],
      )) as Array<{ actor: string; action: string }>;
      expect(audit).toEqual({ actor: 'system:unresolved-retry', action: 'event_log.remap_unresolved' });
    } finally {
      await auto.close();
    }
  });

  it('refuses ranges larger than REPLAY_MAX_ENTRIES and replays over the replay rate', async () => {
    const tooMany = await replay('/v1/event-log/replay', {
      provider: 'stripe',
      from: new Date(Date.now() - 3_600_000).toISOString(),
      to: new Date(Date.now() + 1_000).toISOString(),
      reason: 'everything',
    });
    expect({ status: tooMany.status, code: tooMany.body['code'] }).toEqual({
      status: 422,
      code: 'REPLAY_RANGE_TOO_LARGE',
    });

    const strict = await startIngestion(environment, { REPLAY_RATE_BURST: '1', REPLAY_RATE_PER_MINUTE: '1' });
    try {
      const token = await strict.createApiKey(['events:replay'], { name: 'sre-bob' });
      const send = () =>
        post(`${strict.url}/v1/event-log/${randomUUID()}/replay`, {
          body: JSON.stringify({ reason: 'test the limit' }),
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        });
      expect((await send()).body['code']).toBe('EVENT_LOG_ENTRY_NOT_FOUND');
      const limited = await send();
      expect({ status: limited.status, code: limited.body['code'] }).toEqual({
        status: 429,
        code: 'RATE_LIMITED',
      });
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(1);
    } finally {
      await strict.close();
    }
  });
});
