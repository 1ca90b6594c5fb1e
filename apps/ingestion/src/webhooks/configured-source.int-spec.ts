import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { DomainEvent } from '@tributary/contracts';
import { AvroEventDecoder, SchemaRegistryClient, headerText } from '@tributary/kafka';
import { registry } from '@tributary/observability';
import { stackFromEnv, waitFor } from '@tributary/testkit';
import { Kafka, logLevel } from 'kafkajs';
import type { Consumer, KafkaMessage } from 'kafkajs';
import { Webhook } from 'standardwebhooks';
import { rowCounts, startIngestion, testEnvironment } from '../../test/support/ingestion.js';
import type { RunningIngestion, TestEnvironment } from '../../test/support/ingestion.js';
import { post } from '../../test/support/webhooks.js';

const secret = `whsec_${Buffer.from('acme billing signing secret, 32 bytes').toString('base64')}`;

/** A Standard Webhooks source, declared the way an operator would: a JSON file, a secrets variable. */
const acmeSource = {
  name: 'acme-billing',
  domain: 'billing',
  scheme: { type: 'standard-webhooks' },
  secretsEnv: 'ACME_BILLING_WEBHOOK_SECRETS',
  dedupeId: { header: 'webhook-id' },
  eventType: { pointer: '/type' },
  objectId: { pointer: '/data/id' },
  occurredAt: { pointer: '/timestamp', format: 'iso8601' },
};

/** A body as the provider writes it: spacing and a 1.50 a re-serialization would turn into 1.5. */
const invoiceBody = (invoiceId: string) =>
  `{"type": "invoice.paid", "timestamp": "2026-12-01T09:59:58.000Z",\n "data": {"id": "${invoiceId}", "amount": 1.50}}`;

/** Headers as the official standardwebhooks library signs them. */
function signed(
  body: string,
  options: { id?: string; at?: Date; key?: string } = {},
): { body: string; headers: Record<string, string> } {
  const id = options.id ?? `msg_${randomUUID()}`;
  const at = options.at ?? new Date();
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(options.key ?? secret).sign(id, at, body),
    },
  };
}

async function counter(name: string, labels: Record<string, string>): Promise<number> {
  const metric = await registry.getSingleMetric(name)?.get();
  const match = metric?.values.find((v) =>
    Object.entries(labels).every(([k, value]) => v.labels[k] === value),
  );
  return match?.value ?? 0;
}

describe('a webhook source declared by configuration (Standard Webhooks)', () => {
  let directory: string;
  let environment: TestEnvironment;
  let ingestion: RunningIngestion;
  let consumer: Consumer;
  const records: KafkaMessage[] = [];
  const decoder = new AvroEventDecoder({
    registry: new SchemaRegistryClient({ url: stackFromEnv().registry.url }),
  });
  const url = () => `${ingestion.url}/webhooks/acme-billing`;
  const recordsOf = (eventId: string) => records.filter((r) => headerText(r.headers, 'ce_id') === eventId);

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'webhook-sources-'));
    writeFileSync(join(directory, 'sources.json'), JSON.stringify([acmeSource]));
    writeFileSync(join(directory, 'acme-secrets'), `${secret}\n`);
    environment = await testEnvironment('ingestion_sources', {
      WEBHOOK_SOURCES_FILE: join(directory, 'sources.json'),
      ACME_BILLING_WEBHOOK_SECRETS_FILE: join(directory, 'acme-secrets'),
    });
    ingestion = await startIngestion(environment);
    const kafka = new Kafka({
      clientId: 'sources-spec',
      brokers: stackFromEnv().kafka.brokers,
      logLevel: logLevel.NOTHING,
    });
    consumer = kafka.consumer({ groupId: `${environment.topicPrefix}reader` });
    await consumer.connect();
    await consumer.subscribe({
      topics: [`${environment.topicPrefix}integrations.webhook.v1`],
      fromBeginning: true,
    });
    await consumer.run({
      eachMessage: async ({ message }) => {
        records.push(message);
      },
    });
  });

  afterAll(async () => {
    await consumer?.disconnect();
    await ingestion?.close();
    await environment?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('serves the source from its file with the secrets from its _FILE', () => {
    expect(ingestion.config.webhookSecrets['acme-billing']).toEqual([secret]);
    expect(ingestion.config.webhookDefinitions['acme-billing']?.scheme.name).toBe('standard-webhooks');
  });

  it('publishes integrations.webhook.received with the body as signed, keyed by source and object id', async () => {
    const body = invoiceBody('in_1001');
    const request = signed(body, { id: 'msg_first' });
    const response = await post(url(), request);
    expect(response.status).toBe(202);
    const [entry] = response.body['entries'] as Array<{ id: string; status: string; eventIds: string[] }>;
    expect(entry).toMatchObject({ status: 'mapped', dedupeKey: 'msg_first', duplicate: false });
    const eventId = entry!.eventIds[0]!;

    await waitFor(() => recordsOf(eventId).length > 0, { timeoutMs: 60_000, message: 'the event on Kafka' });
    const [record] = recordsOf(eventId);
    expect(record!.key?.toString()).toBe('acme-billing:in_1001');
    const event: DomainEvent = await decoder.decode({
      key: record!.key,
      value: record!.value,
      headers: record!.headers,
    });
    expect(event).toMatchObject({
      id: eventId,
      type: 'integrations.webhook.received',
      subject: 'acme-billing:in_1001',
      source: '/tributary/ingestion/webhooks/acme-billing',
      time: '2026-12-01T09:59:58.000Z',
      correlationId: entry!.id,
    });
    expect(event.data).toMatchObject({
      subject: 'acme-billing:in_1001',
      provider: 'acme-billing',
      eventType: 'invoice.paid',
      dedupeId: 'msg_first',
      objectId: 'in_1001',
      payload: body,
      eventLogId: entry!.id,
      occurredAt: Date.parse('2026-12-01T09:59:58.000Z'),
    });

    const shown = await ingestion.dataSource.query(
      `SELECT provider, event_type, dedupe_key FROM event_log WHERE id = $1`,
      [entry!.id],
    );
    expect(shown).toEqual([
      { provider: 'acme-billing', event_type: 'invoice.paid', dedupe_key: 'msg_first' },
    ]);
  });

  it('answers a redelivery 200 with the first event ids and publishes nothing more', async () => {
    const body = invoiceBody('in_1002');
    const first = await post(url(), signed(body, { id: 'msg_redelivered' }));
    expect(first.status).toBe(202);
    const [entry] = first.body['entries'] as Array<{ id: string; eventIds: string[] }>;
    const eventId = entry!.eventIds[0]!;
    await waitFor(() => recordsOf(eventId).length > 0, {
      timeoutMs: 60_000,
      message: 'the first delivery on Kafka',
    });
    const before = await rowCounts(ingestion.dataSource);
    const duplicates = await counter('tributary_webhook_events_total', {
      provider: 'acme-billing',
      status: 'duplicate',
    });

    // The provider retries the same message a little later: same id, a fresh timestamp and signature.
    const again = await post(url(), signed(body, { id: 'msg_redelivered', at: new Date(Date.now() + 2000) }));
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({
      outcome: 'duplicate',
      entries: [{ id: entry!.id, duplicate: true, eventIds: [eventId] }],
    });
    expect(await rowCounts(ingestion.dataSource)).toEqual(before);
    expect(
      await counter('tributary_webhook_events_total', { provider: 'acme-billing', status: 'duplicate' }),
    ).toBe(duplicates + 1);
    // A marker published after the redelivery: once it is read, anything the redelivery published would be too.
    const marker = await post(url(), signed(invoiceBody('in_marker')));
    const markerId = (marker.body['entries'] as Array<{ eventIds: string[] }>)[0]!.eventIds[0]!;
    await waitFor(() => recordsOf(markerId).length > 0, {
      timeoutMs: 60_000,
      message: 'the marker on Kafka',
    });
    expect(recordsOf(eventId)).toHaveLength(1);
  });

  it('replays an entry of the source with its original ce_id and the same bytes', async () => {
    const body = invoiceBody('in_1003');
    const delivered = await post(url(), signed(body));
    const [entry] = delivered.body['entries'] as Array<{ id: string; eventIds: string[] }>;
    const eventId = entry!.eventIds[0]!;
    await waitFor(() => recordsOf(eventId).length > 0, {
      timeoutMs: 60_000,
      message: 'the delivery on Kafka',
    });

    const token = await ingestion.createApiKey(['events:read', 'events:replay']);
    const replayed = await post(`${ingestion.url}/v1/event-log/${entry!.id}/replay`, {
      body: JSON.stringify({ reason: 'a consumer of acme-billing lost its state' }),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    });
    expect(replayed.status).toBe(202);
    expect(replayed.body).toMatchObject({ entries: 1, republished: 1, eventIds: [eventId] });
    await waitFor(() => recordsOf(eventId).length >= 2, {
      timeoutMs: 60_000,
      message: 'the replay on Kafka',
    });
    const [first, again] = recordsOf(eventId);
    expect(again!.value).toEqual(first!.value);
    expect(headerText(again!.headers, 'tributary-replay-id')).toBe(replayed.body['replayId']);
  });

  it('re-maps an entry that produced nothing from the bytes as signed, not from the stored JSON', async () => {
    // jsonb keeps keys by length, then bytes: "a" before "b", "data" before "type"; 1.50 becomes 1.5.
    const body = `{"type": "invoice.paid", "timestamp": "2026-12-01T09:59:58.000Z", "data": {"id": "in_1004", "b": 1, "a": 2, "amount": 1.50}}`;
    const delivered = await post(url(), signed(body));
    const [entry] = delivered.body['entries'] as Array<{ id: string; eventIds: string[] }>;
    const stored = (await ingestion.dataSource.query(`SELECT payload FROM event_log WHERE id = $1`, [
      entry!.id,
    ])) as Array<{ payload: unknown }>;
    expect(JSON.stringify(stored[0]!.payload)).not.toBe(body);
    // As if its mapping had failed at intake (a schema refusing it then): no events, status failed.
    await ingestion.dataSource.query(`DELETE FROM event_log_events WHERE log_id = $1`, [entry!.id]);
    await ingestion.dataSource.query(
      `UPDATE event_log SET status = 'failed', status_reason = 'test: failed at intake' WHERE id = $1`,
      [entry!.id],
    );

    const token = await ingestion.createApiKey(['events:read', 'events:replay']);
    const replayed = await post(`${ingestion.url}/v1/event-log/${entry!.id}/replay`, {
      body: JSON.stringify({ reason: 'the mapping is fixed' }),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    });
    expect(replayed.status).toBe(202);
    expect(replayed.body).toMatchObject({ entries: 1, remapped: 1 });
    const [eventId] = replayed.body['eventIds'] as string[];
    expect(eventId).not.toBe(entry!.eventIds[0]);
    await waitFor(() => recordsOf(eventId!).length > 0, {
      timeoutMs: 60_000,
      message: 'the re-mapped event on Kafka',
    });
    const [record] = recordsOf(eventId!);
    const event: DomainEvent = await decoder.decode({
      key: record!.key,
      value: record!.value,
      headers: record!.headers,
    });
    expect((event.data as { payload: string }).payload).toBe(body);
  });

  describe('refuses, with nothing stored', () => {
    const body = () => invoiceBody(`in_${randomUUID()}`);
    const cases: Array<
      [string, () => { url?: string; body: string; headers: Record<string, string> }, number, string]
    > = [
      [
        'a signature made with another secret',
        () => signed(body(), { key: `whsec_${Buffer.from('someone else').toString('base64')}` }),
        401,
        'WEBHOOK_SIGNATURE_INVALID',
      ],
      [
        'a tampered body',
        () => {
          const r = signed(body());
          return { ...r, body: r.body.replace('1.50', '150') };
        },
        401,
        'WEBHOOK_SIGNATURE_INVALID',
      ],
      [
        'a stale timestamp',
        () => signed(body(), { at: new Date(Date.now() - 301_000) }),
        401,
        'WEBHOOK_SIGNATURE_STALE',
      ],
      [
        'a future timestamp',
        () => signed(body(), { at: new Date(Date.now() + 301_000) }),
        401,
        'WEBHOOK_SIGNATURE_STALE',
      ],
      ...(['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const).map(
        (header): [string, () => { body: string; headers: Record<string, string> }, number, string] => [
          `no ${header}`,
          () => {
            const r = signed(body());
            delete r.headers[header];
            return r;
          },
          401,
          'WEBHOOK_SIGNATURE_MISSING',
        ],
      ),
      [
        'an unknown source',
        () => ({ ...signed(body()), url: `${ingestion.url}/webhooks/acme-shipping` }),
        404,
        'WEBHOOK_PROVIDER_UNKNOWN',
      ],
      [
        'a signed body that is not JSON',
        () => signed('{"type": "invoice.paid",'),
        400,
        'WEBHOOK_PAYLOAD_MALFORMED',
      ],
      [
        'a signed body with a duplicated member',
        () => signed('{"type": "a", "type": "b"}'),
        400,
        'REQUEST_BODY_DUPLICATE_KEY',
      ],
      [
        'a body without the event type where the source says',
        () => signed('{"data": {"id": "in_1"}}'),
        422,
        'WEBHOOK_PAYLOAD_INVALID',
      ],
    ];

    it.each(cases)('%s', async (_name, make, status, code) => {
      const before = await rowCounts(ingestion.dataSource);
      const request = make();
      const response = await post(request.url ?? url(), request);
      expect({ status: response.status, code: response.body['code'] }).toEqual({ status, code });
      expect(await rowCounts(ingestion.dataSource)).toEqual(before);
    });
  });
});
