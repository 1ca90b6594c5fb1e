import { createHmac, randomUUID } from 'node:crypto';
import { registry } from '@tributary/observability';
import { hubspotSignatureV3, githubScheme } from '@tributary/webhooks';
import { rowCounts, secrets, startIngestion, testEnvironment } from '../../test/support/ingestion.js';
import type { RunningIngestion, TestEnvironment } from '../../test/support/ingestion.js';
import { readTopics } from '../../test/support/kafka.js';
import type { TopicReader } from '../../test/support/kafka.js';
import { post, signedStripe, stripeSucceeded } from '../../test/support/webhooks.js';
import { ingestionProblems } from '../http/problem.js';

async function counter(name: string, labels: Record<string, string>): Promise<number> {
  const metric = await registry.getSingleMetric(name)?.get();
  const match = metric?.values.find((v) =>
    Object.entries(labels).every(([k, value]) => v.labels[k] === value),
  );
  return match?.value ?? 0;
}

describe('POST /webhooks/:provider', () => {
  let environment: TestEnvironment;
  let ingestion: RunningIngestion;
  let payments: TopicReader;

  beforeAll(async () => {
    environment = await testEnvironment('ingestion_webhooks', { BODY_LIMIT_BYTES: String(64 * 1024) });
    ingestion = await startIngestion(environment);
    payments = await readTopics(
      [`${environment.topicPrefix}payments.payment.v1`],
      `${environment.topicPrefix}reader`,
    );
  });

  afterAll(async () => {
    await payments?.stop();
    await ingestion?.close();
    await environment?.close();
  });

  describe('refuses bad input with its status and code, and stores nothing', () => {
    const stripeUrl = () => `${ingestion.url}/webhooks/stripe`;
    const valid = () => signedStripe(stripeSucceeded());
    const cases: Array<
      [string, () => Promise<{ status: number; body: Record<string, unknown> }>, number, string]
    > = [
      [
        'no signature',
        async () => {
          const r = valid();
          delete r.headers['stripe-signature'];
          return post(stripeUrl(), r);
        },
        401,
        'WEBHOOK_SIGNATURE_MISSING',
      ],
      [
        'a malformed signature',
        async () => {
          const r = valid();
          r.headers['stripe-signature'] = 't=now,v1=zz';
          return post(stripeUrl(), r);
        },
        401,
        'WEBHOOK_SIGNATURE_MALFORMED',
      ],
      [
        'a forged signature',
        () => post(stripeUrl(), signedStripe(stripeSucceeded(), { secret: 'whsec_forged_0000000000000000' })),
        401,
        'WEBHOOK_SIGNATURE_INVALID',
      ],
      [
        'a tampered body',
        async () => {
          const r = valid();
          return post(stripeUrl(), { ...r, body: r.body.replace('2599', '1') });
        },
        401,
        'WEBHOOK_SIGNATURE_INVALID',
      ],
      [
        'a stale timestamp',
        () =>
          post(stripeUrl(), signedStripe(stripeSucceeded(), { timestamp: new Date(Date.now() - 301_000) })),
        401,
        'WEBHOOK_SIGNATURE_STALE',
      ],
      [
        'a future timestamp',
        () =>
          post(stripeUrl(), signedStripe(stripeSucceeded(), { timestamp: new Date(Date.now() + 301_000) })),
        401,
        'WEBHOOK_SIGNATURE_STALE',
      ],
      [
        'an unknown provider',
        () => post(`${ingestion.url}/webhooks/acme`, valid()),
        404,
        'WEBHOOK_PROVIDER_UNKNOWN',
      ],
      [
        'a provider without secrets',
        () => post(`${ingestion.url}/webhooks/easypost`, valid()),
        404,
        'WEBHOOK_PROVIDER_NOT_CONFIGURED',
      ],
      [
        'a non-JSON content type',
        async () => {
          const r = valid();
          return post(stripeUrl(), { ...r, headers: { ...r.headers, 'content-type': 'text/plain' } });
        },
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      ],
      [
        'a body over the size limit',
        () => post(stripeUrl(), signedStripe({ ...stripeSucceeded(), padding: 'x'.repeat(70 * 1024) })),
        413,
        'REQUEST_BODY_TOO_LARGE',
      ],
      [
        'a signed body that is not JSON',
        () => post(stripeUrl(), signedRaw('{"id": "evt_1",')),
        400,
        'WEBHOOK_PAYLOAD_MALFORMED',
      ],
      [
        'signed JSON that is no Stripe event',
        () => post(stripeUrl(), signedStripe({ hello: 'world' })),
        422,
        'WEBHOOK_PAYLOAD_INVALID',
      ],
    ];

    function signedRaw(body: string) {
      const signed = signedStripe({});
      const t = Math.floor(Date.now() / 1000);
      const v1 = createHmac('sha256', secrets.stripe).update(`${t}.${body}`).digest('hex');
      return { body, headers: { ...signed.headers, 'stripe-signature': `t=${t},v1=${v1}` } };
    }

    it.each(cases)('%s', async (_name, send, status, code) => {
      const response = await send();
      expect({ status: response.status, code: response.body['code'] }).toEqual({ status, code });
      expect(response.body).toMatchObject({
        type: `urn:tributary:problem:${code}`,
        status,
        title: ingestionProblems[code as keyof typeof ingestionProblems].title,
      });
      expect(await rowCounts(ingestion.dataSource)).toEqual({
        event_log: 0,
        event_log_events: 0,
        outbox: 0,
        external_refs: 0,
        audit_log: 0,
      });
    });

    it('counts signature failures by provider and code', async () => {
      expect(
        await counter('tributary_webhook_signature_failures_total', {
          provider: 'stripe',
          code: 'WEBHOOK_SIGNATURE_STALE',
        }),
      ).toBeGreaterThanOrEqual(2);
      expect(
        await counter('tributary_webhooks_received_total', {
          provider: 'unknown',
          outcome: 'unknown_provider',
        }),
      ).toBeGreaterThanOrEqual(1);
      expect(
        await counter('tributary_webhooks_received_total', { provider: 'stripe', outcome: 'too_large' }),
      ).toBeGreaterThanOrEqual(1);
    });
  });

  it('accepts a Stripe payment, logs it, and publishes payments.payment.succeeded once; a redelivery publishes nothing', async () => {
    const paymentId = randomUUID();
    const delivery = signedStripe(stripeSucceeded({ paymentId }));
    const first = await post(`${ingestion.url}/webhooks/stripe`, delivery);
    expect(first.status).toBe(202);
    expect(first.headers.get('ratelimit-policy')).toMatch(/^"webhook";q=\d+;w=\d+$/);
    const [entry] = first.body['entries'] as Array<{
      id: string;
      status: string;
      eventIds: string[];
      duplicate: boolean;
    }>;
    expect(entry).toMatchObject({ status: 'mapped', duplicate: false });
    expect(entry!.eventIds).toHaveLength(1);
    const eventId = entry!.eventIds[0]!;

    // The same delivery again, re-signed as Stripe does on a retry.
    const again = await post(`${ingestion.url}/webhooks/stripe`, signedStripe(JSON.parse(delivery.body)));
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({
      outcome: 'duplicate',
      entries: [{ id: entry!.id, duplicate: true, eventIds: [eventId] }],
    });

    await payments.waitForIds([eventId]);
    await payments.waitForEnd();
    expect(payments.counts.get(eventId)).toBe(1);
    expect(payments.headers.get(eventId)).toMatchObject({
      ce_type: 'payments.payment.succeeded',
      ce_subject: paymentId,
      ce_source: '/tributary/ingestion/webhooks/stripe',
      'correlation-id': entry!.id,
    });
  });

  it('stores and counts provider event types it cannot map, and publishes nothing for them', async () => {
    const before = await counter('tributary_webhook_events_total', {
      provider: 'stripe',
      status: 'unknown_type',
    });
    const event = { ...stripeSucceeded(), type: 'customer.created', data: { object: { id: 'cus_1' } } };
    const response = await post(`${ingestion.url}/webhooks/stripe`, signedStripe(event));
    expect(response.status).toBe(202);
    expect(response.body['entries']).toEqual([
      expect.objectContaining({ status: 'unknown_type', eventIds: [] }),
    ]);
    const [row] = (await ingestion.dataSource.query(
      `SELECT status, payload FROM event_log WHERE dedupe_key = $1`,
      [event.id],
    )) as Array<{
      status: string;
      payload: { type: string };
    }>;
    expect(row).toMatchObject({ status: 'unknown_type', payload: { type: 'customer.created' } });
    expect(
      await counter('tributary_webhook_events_total', { provider: 'stripe', status: 'unknown_type' }),
    ).toBe(before + 1);
  });

  it('verifies GitHub deliveries and dedupes them on X-GitHub-Delivery', async () => {
    const body = JSON.stringify({ action: 'opened', issue: { number: 1 } });
    const headers = {
      'content-type': 'application/json',
      'x-github-event': 'issues',
      'x-github-delivery': randomUUID(),
      ...githubScheme().sign({ body: Buffer.from(body) }, secrets.github),
    };
    expect((await post(`${ingestion.url}/webhooks/github`, { body, headers })).status).toBe(202);
    expect((await post(`${ingestion.url}/webhooks/github`, { body, headers })).status).toBe(200);
    const tampered = await post(`${ingestion.url}/webhooks/github`, {
      body: body.replace('1', '2'),
      headers,
    });
    expect(tampered.body['code']).toBe('WEBHOOK_SIGNATURE_INVALID');
  });

  it('splits a signed HubSpot batch into one entry per event and records new contacts in external_refs', async () => {
    const objectId = Math.floor(Math.random() * 1e9);
    const event = (eventId: number, subscriptionType: string) => ({
      eventId,
      subscriptionId: 1,
      portalId: 62515,
      appId: 1,
      occurredAt: Date.now(),
      subscriptionType,
      attemptNumber: 0,
      objectId,
    });
    const body = JSON.stringify([event(1, 'contact.creation'), event(2, 'contact.propertyChange')]);
    const url = `${ingestion.url}/webhooks/hubspot`;
    const headers = {
      'content-type': 'application/json',
      ...hubspotSignatureV3.sign({ body: Buffer.from(body), method: 'POST', url }, secrets.hubspot),
    };
    const response = await post(url, { body, headers });
    expect(response.status).toBe(202);
    expect((response.body['entries'] as unknown[]).length).toBe(2);
    const refs = (await ingestion.dataSource.query(
      `SELECT internal_id FROM external_refs WHERE provider = 'hubspot' AND external_type = 'contact' AND external_id = $1`,
      [String(objectId)],
    )) as unknown[];
    expect(refs).toHaveLength(1);
  });
});
