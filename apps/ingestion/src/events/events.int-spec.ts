import { randomUUID } from 'node:crypto';
import { ApiKeyStore } from '@tributary/service-kit/api-keys';
import { rowCounts, startIngestion, testEnvironment } from '../../test/support/ingestion.js';
import type { RunningIngestion, TestEnvironment } from '../../test/support/ingestion.js';
import { readTopics } from '../../test/support/kafka.js';
import { post } from '../../test/support/webhooks.js';

const paymentRequested = (paymentId = randomUUID()) => ({
  type: 'payments.payment.requested',
  data: {
    paymentId,
    orderId: randomUUID(),
    customerId: randomUUID(),
    amountMinor: 2599,
    currency: 'EUR',
    paymentMethod: null,
    description: null,
    requestedAt: Date.now(),
  },
});

describe('POST /v1/events', () => {
  let environment: TestEnvironment;
  let ingestion: RunningIngestion;
  let publisher: string;

  const publish = (body: unknown, headers: Record<string, string | undefined> = {}) =>
    post(`${ingestion.url}/v1/events`, {
      body: typeof body === 'string' ? body : JSON.stringify(body),
      headers: Object.fromEntries(
        Object.entries({
          'content-type': 'application/json',
          authorization: `Bearer ${publisher}`,
          'idempotency-key': randomUUID(),
          ...headers,
        }).filter((entry): entry is [string, string] => entry[1] !== undefined),
      ),
    });

  beforeAll(async () => {
    environment = await testEnvironment('ingestion_events');
    ingestion = await startIngestion(environment);
    publisher = await ingestion.createApiKey(['events:publish']);
  });

  afterAll(async () => {
    await ingestion?.close();
    await environment?.close();
  });

  it('refuses unauthenticated, under-scoped, expired, revoked and invalid calls, storing nothing', async () => {
    const reader = await ingestion.createApiKey(['events:read']);
    const expired = await ingestion.createApiKey(['events:publish'], {
      expiresAt: new Date(Date.now() - 1000),
    });
    const revokedKey = await ingestion.createApiKey(['events:publish']);
    const keys = ingestion.app.get(ApiKeyStore);
    await keys.revoke(revokedKey.split('_')[1]!, { actor: 'int-spec' });
    await expect(keys.revoke(revokedKey.split('_')[1]!, { actor: 'int-spec' })).rejects.toMatchObject({
      code: 'API_KEY_NOT_FOUND',
    });
    const cases: Array<[Record<string, string | undefined>, unknown, number, string]> = [
      [{ authorization: undefined }, paymentRequested(), 401, 'API_KEY_MISSING'],
      [{ authorization: 'Bearer not-a-key' }, paymentRequested(), 401, 'API_KEY_INVALID'],
      [{ authorization: `Bearer ${publisher.slice(0, -4)}AAAA` }, paymentRequested(), 401, 'API_KEY_INVALID'],
      [{ authorization: `Bearer ${expired}` }, paymentRequested(), 401, 'API_KEY_EXPIRED'],
      [{ authorization: `Bearer ${revokedKey}` }, paymentRequested(), 401, 'API_KEY_REVOKED'],
      [{ authorization: `Bearer ${reader}` }, paymentRequested(), 403, 'API_KEY_SCOPE_MISSING'],
      [{ 'idempotency-key': undefined }, paymentRequested(), 400, 'IDEMPOTENCY_KEY_MISSING'],
      [{ 'content-type': 'text/plain' }, paymentRequested(), 415, 'UNSUPPORTED_MEDIA_TYPE'],
      [{}, '{"type":', 400, 'REQUEST_MALFORMED'],
      [{}, { ...paymentRequested(), extra: 1 }, 422, 'REQUEST_INVALID'],
      [{}, { ...paymentRequested(), type: 'payments.payment.teleported' }, 422, 'UNKNOWN_EVENT_TYPE'],
      [
        {},
        { type: 'payments.payment.requested', data: { ...paymentRequested().data, amountMinor: 'lots' } },
        422,
        'SCHEMA_VALIDATION_FAILED',
      ],
      [
        {},
        { type: 'payments.payment.requested', data: { ...paymentRequested().data, paymentId: undefined } },
        422,
        'REQUEST_INVALID',
      ],
      [{}, { ...paymentRequested(), subject: randomUUID() }, 422, 'EVENT_KEY_NOT_AGGREGATE_ID'],
    ];
    for (const [headers, body, status, code] of cases) {
      const response = await publish(body, headers);
      expect({ status: response.status, code: response.body['code'] }).toEqual({ status, code });
    }
    expect(await rowCounts(ingestion.dataSource)).toEqual({
      event_log: 0,
      event_log_events: 0,
      outbox: 0,
      external_refs: 0,
      audit_log: 0,
    });
  });

  it('publishes a valid event to its topic and answers a retry with the same event id', async () => {
    const reader = await readTopics(
      [`${environment.topicPrefix}payments.payment.v1`],
      `${environment.topicPrefix}events`,
    );
    try {
      const paymentId = randomUUID();
      const body = paymentRequested(paymentId);
      const key = randomUUID();
      const first = await publish(body, { 'idempotency-key': key });
      expect(first.status).toBe(202);
      expect(first.body).toMatchObject({
        type: 'payments.payment.requested',
        topic: `${environment.topicPrefix}payments.payment.v1`,
      });
      expect(first.headers.get('ratelimit')).toMatch(/^"api-key";r=\d+;t=\d+$/);
      const retries = await Promise.all([1, 2, 3].map(() => publish(body, { 'idempotency-key': key })));
      for (const retry of retries)
        expect({ status: retry.status, body: retry.body }).toEqual({ status: 202, body: first.body });

      const other = await publish(paymentRequested(), { 'idempotency-key': key });
      expect({ status: other.status, code: other.body['code'] }).toEqual({
        status: 422,
        code: 'IDEMPOTENCY_KEY_REUSED',
      });

      const eventId = first.body['eventId'] as string;
      await reader.waitForIds([eventId]);
      await reader.waitForEnd();
      expect(reader.counts.get(eventId)).toBe(1);
      expect(reader.headers.get(eventId)).toMatchObject({
        ce_type: 'payments.payment.requested',
        ce_subject: paymentId,
        ce_source: '/tributary/api/test-client',
      });
    } finally {
      await reader.stop();
    }
  });

  it('keys the event by its aggregate id: a subject naming another is refused with both values, nothing stored', async () => {
    const reader = await readTopics(
      [`${environment.topicPrefix}payments.payment.v1`],
      `${environment.topicPrefix}events-key`,
    );
    try {
      const before = await rowCounts(ingestion.dataSource);
      const body = paymentRequested();
      const other = randomUUID();
      const key = randomUUID();
      const refused = await publish({ ...body, subject: other }, { 'idempotency-key': key });
      expect(refused.status).toBe(422);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect(refused.body).toMatchObject({
        code: 'EVENT_KEY_NOT_AGGREGATE_ID',
        field: 'data.paymentId',
        subject: other,
        aggregateId: body.data.paymentId,
      });
      expect(refused.body['detail']).toContain(
        `subject "${other}" is not data.paymentId "${body.data.paymentId}"`,
      );
      expect(await rowCounts(ingestion.dataSource)).toEqual(before);

      // The same key, now with the matching subject: the refusal kept nothing, so this is a first request.
      const accepted = await publish({ ...body, subject: body.data.paymentId }, { 'idempotency-key': key });
      expect(accepted.status).toBe(202);
      const eventId = accepted.body['eventId'] as string;
      await reader.waitForIds([eventId]);
      expect(reader.headers.get(eventId)).toMatchObject({ ce_subject: body.data.paymentId });
    } finally {
      await reader.stop();
    }
  });

  it('scopes Idempotency-Keys to the client, so a rotated key keeps its answers', async () => {
    const successor = await ingestion.createApiKey(['events:publish'], { name: 'test-client' });
    const stranger = await ingestion.createApiKey(['events:publish'], { name: 'other-client' });
    const body = paymentRequested();
    const key = randomUUID();
    const first = await publish(body, { 'idempotency-key': key });
    const viaSuccessor = await publish(body, {
      'idempotency-key': key,
      authorization: `Bearer ${successor}`,
    });
    expect(viaSuccessor.body['eventId']).toBe(first.body['eventId']);
    const viaStranger = await publish(body, { 'idempotency-key': key, authorization: `Bearer ${stranger}` });
    expect(viaStranger.status).toBe(202);
    expect(viaStranger.body['eventId']).not.toBe(first.body['eventId']);
  });

  it('rate limits per API key with 429, Retry-After and RateLimit headers', async () => {
    const limited = await startIngestion(environment, { API_RATE_PER_SECOND: '1', API_RATE_BURST: '2' });
    try {
      const token = await limited.createApiKey(['events:publish'], { name: 'limited' });
      const send = () =>
        post(`${limited.url}/v1/events`, {
          body: JSON.stringify(paymentRequested()),
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${token}`,
            'idempotency-key': randomUUID(),
          },
        });
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push(await send());
      expect(statuses.map((r) => r.status)).toEqual([202, 202, 429]);
      expect(statuses[2]!.body['code']).toBe('RATE_LIMITED');
      expect(Number(statuses[2]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(statuses[2]!.headers.get('ratelimit-policy')).toBe('"api-key";q=2;w=2');
    } finally {
      await limited.close();
    }
  });
});
