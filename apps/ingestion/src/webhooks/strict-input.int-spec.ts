import { createHash, randomUUID } from 'node:crypto';
import { registry } from '@tributary/observability';
import { stripeWebhook } from '@tributary/webhooks';
import { rowCounts, secrets, startIngestion, testEnvironment } from '../../test/support/ingestion.js';
import type { RunningIngestion, TestEnvironment } from '../../test/support/ingestion.js';
import { post, stripeSucceeded } from '../../test/support/webhooks.js';

/** Signed over the exact bytes, as Stripe signs: the refusals below are about the body, not the signature. */
function signedBytes(body: Buffer) {
  return {
    body,
    headers: { 'content-type': 'application/json', ...stripeWebhook.scheme.sign({ body }, secrets.stripe) },
  };
}

async function malformedCount(): Promise<number> {
  const metric = await registry.getSingleMetric('tributary_webhooks_received_total')?.get();
  return (
    metric?.values.find((v) => v.labels['provider'] === 'stripe' && v.labels['outcome'] === 'malformed')
      ?.value ?? 0
  );
}

async function stored(ingestion: RunningIngestion): Promise<Record<string, number>> {
  const [bodies] = (await ingestion.dataSource.query(
    `SELECT count(*)::int AS n FROM webhook_bodies`,
  )) as Array<{ n: number }>;
  return { ...(await rowCounts(ingestion.dataSource)), webhook_bodies: bodies!.n };
}

describe('strict input: what is stored is what was signed', () => {
  let environment: TestEnvironment;
  let ingestion: RunningIngestion;

  beforeAll(async () => {
    environment = await testEnvironment('ingestion_strict_input');
    ingestion = await startIngestion(environment);
  });

  afterAll(async () => {
    await ingestion?.close();
    await environment?.close();
  });

  it('refuses a correctly signed Stripe body with invalid UTF-8 or a duplicated member: 400, nothing stored', async () => {
    const before = await stored(ingestion);
    const malformedBefore = await malformedCount();
    const event = JSON.stringify(stripeSucceeded());
    // A Latin-1 "é" (0xE9) inside the description string: a lossy decode would store U+FFFD instead.
    const [head, tail] = [event.slice(0, -1), event.slice(-1)];
    const notUtf8 = Buffer.concat([
      Buffer.from(`${head},"description":"caf`),
      Buffer.from([0xe9]),
      Buffer.from(`"${tail}`),
    ]);
    const refusedUtf8 = await post(`${ingestion.url}/webhooks/stripe`, signedBytes(notUtf8));
    expect(refusedUtf8.status).toBe(400);
    expect(refusedUtf8.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(refusedUtf8.body).toMatchObject({ code: 'REQUEST_BODY_NOT_UTF8', offset: notUtf8.indexOf(0xe9) });

    // Two ids: a verifier and a consumer reading different ones is what this refusal prevents.
    const duplicate = Buffer.from(
      `{"id":"evt_first",${event.slice(1, -1).replace(/"id":"evt_[^"]+",/, '')},"id":"evt_second"}`,
    );
    const refusedDuplicate = await post(`${ingestion.url}/webhooks/stripe`, signedBytes(duplicate));
    expect(refusedDuplicate.status).toBe(400);
    expect(refusedDuplicate.body).toMatchObject({ code: 'REQUEST_BODY_DUPLICATE_KEY', pointer: '/id' });

    const nested = Buffer.from(event.replace('"currency":"eur"', '"currency":"eur","currency":"usd"'));
    const refusedNested = await post(`${ingestion.url}/webhooks/stripe`, signedBytes(nested));
    expect(refusedNested.body).toMatchObject({
      code: 'REQUEST_BODY_DUPLICATE_KEY',
      pointer: '/data/object/currency',
    });

    expect(await stored(ingestion)).toEqual(before);
    expect((await malformedCount()) - malformedBefore).toBe(3);
  });

  it('refuses the same bodies on POST /v1/events, before anything is written', async () => {
    const publisher = await ingestion.createApiKey(['events:publish']);
    const before = await stored(ingestion);
    const headers = () => ({
      'content-type': 'application/json',
      authorization: `Bearer ${publisher}`,
      'idempotency-key': randomUUID(),
    });
    const event = `{"type":"payments.payment.requested","data":{"paymentId":"${randomUUID()}","paymentId":"${randomUUID()}"}}`;
    const duplicate = await post(`${ingestion.url}/v1/events`, { body: event, headers: headers() });
    expect(duplicate.status).toBe(400);
    expect(duplicate.body).toMatchObject({ code: 'REQUEST_BODY_DUPLICATE_KEY', pointer: '/data/paymentId' });
    const notUtf8 = Buffer.concat([
      Buffer.from('{"type":"'),
      Buffer.from([0xed, 0xa0, 0x80]),
      Buffer.from('"}'),
    ]);
    const refused = await post(`${ingestion.url}/v1/events`, { body: notUtf8, headers: headers() });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ code: 'REQUEST_BODY_NOT_UTF8', offset: 9 });
    expect(await stored(ingestion)).toEqual(before);
  });

  it('keeps the exact bytes of an accepted webhook and shows them with their hash', async () => {
    // Formatting jsonb would not keep: indentation, key order, an escaped and a literal non-ASCII character.
    const event = stripeSucceeded();
    const body = Buffer.from(
      `{\n  "type" : "${event.type}",\n  "id": "${event.id}",\r\n  "note": "caf\\u00e9 \u65e5\u672c",\n${JSON.stringify(
        { ...event, id: undefined, type: undefined },
        null,
        4,
      ).slice(2)}`,
    );
    const accepted = await post(`${ingestion.url}/webhooks/stripe`, signedBytes(body));
    expect(accepted.status).toBe(202);
    const entryId = (accepted.body['entries'] as Array<{ id: string }>)[0]!.id;

    const reader = await ingestion.createApiKey(['events:read']);
    const shown = await fetch(`${ingestion.url}/v1/event-log/${entryId}`, {
      headers: { authorization: `Bearer ${reader}` },
    });
    expect(shown.status).toBe(200);
    const detail = (await shown.json()) as { rawBody: { sha256: string; base64: string; intact: boolean } };
    expect(Buffer.from(detail.rawBody.base64, 'base64').equals(body)).toBe(true);
    expect(detail.rawBody).toMatchObject({
      sha256: createHash('sha256').update(body).digest('hex'),
      intact: true,
    });

    // A redelivery of the same bytes is a duplicate: one entry, one stored body.
    const again = await post(`${ingestion.url}/webhooks/stripe`, signedBytes(body));
    expect(again.status).toBe(200);
    const [copies] = (await ingestion.dataSource.query(
      `SELECT count(*)::int AS n FROM webhook_bodies WHERE sha256 = $1`,
      [createHash('sha256').update(body).digest()],
    )) as Array<{ n: number }>;
    expect(copies!.n).toBe(1);
  });
});
