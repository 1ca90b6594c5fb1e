import { TributaryError, eventCatalogue } from '@tributary/contracts';
import type { DomainEvent } from '@tributary/contracts';
import {
  AvroEventDecoder,
  AvroEventEncoder,
  DEAD_LETTER_DISCARDED_HEADER,
  ReliableConsumer,
  RetryHeaders,
  SchemaRegistryClient,
  cloudEventHeaders,
  deliveryAttempt,
  encodeWireFormat,
  forwardingHeaders,
  headerText,
  silentLogger,
} from '@tributary/kafka';
import { readFileSync } from 'node:fs';
import { createTopics, stackFromEnv, uniqueName, waitFor } from '@tributary/testkit';
import avro from 'avsc';
import type { IHeaders, KafkaMessage, Producer } from 'kafkajs';
import { v7 as uuidv7 } from 'uuid';
import type { DlqHandlerFixture, Summary } from './support.js';
import { dlqHandler, listAll, tokens } from './support.js';

interface Detail extends Summary {
  errorMessage: string | null;
  errorStack: string | null;
  value: {
    base64: string;
    format: string;
    schemaId: number | null;
    decoded: unknown;
    decodeError: string | null;
  };
  headers: { name: string; value: string; encoding: string }[];
  dlq: { topic: string };
}

function orderPlaced(id: string): DomainEvent {
  const orderId = uuidv7();
  return {
    id,
    type: 'commerce.order.placed',
    source: '/tributary/dlq-handler-test',
    subject: orderId,
    time: new Date().toISOString(),
    data: {
      orderId,
      customerId: 'c-1',
      orderNumber: 'TR-000001',
      lines: [{ sku: 'A', quantity: 1, unitPriceMinor: 100, productName: null }],
      totalAmountMinor: 100,
      currency: 'EUR',
      channel: null,
      placedAt: Date.now(),
    },
  } as DomainEvent;
}

function ceHeaders(id: string, type: string): Record<string, string> {
  return cloudEventHeaders({
    id,
    type,
    source: '/tributary/dlq-handler-test',
    subject: 'agg-1',
    time: new Date().toISOString(),
    data: {},
  } as DomainEvent);
}

describe('dlq-handler on the real stack', () => {
  let handler: DlqHandlerFixture;
  let producer: Producer;
  const brokers = () => stackFromEnv().kafka.brokers;

  beforeAll(async () => {
    handler = await dlqHandler({ ratePerSecond: 20, burst: 1 });
    await handler.start();
    producer = handler.kafka.producer();
    await producer.connect();
  });
  afterAll(async () => {
    await producer?.disconnect();
    await handler?.close();
  });

  it('stores poison records of each kind, dead-lettered by a real reliable consumer, with their context', async () => {
    const registry = new SchemaRegistryClient({ url: stackFromEnv().registry.url });
    const source = uniqueName('dlq-src');
    const group = uniqueName('poison');
    await createTopics(brokers(), [{ topic: source, partitions: 1 }]);

    // Valid Avro of a type no consumer knows, registered like any producer would.
    const unknownSchema = {
      type: 'record' as const,
      name: 'Mystery',
      namespace: 'test.unknown',
      fields: [{ name: 'note', type: 'string' }],
    };
    const unknownId = await registry.idFor(`${source}-test.unknown.Mystery`, unknownSchema, {
      register: true,
    });
    const known = await new AvroEventEncoder({ registry, definitions: Object.values(eventCatalogue) }).encode(
      orderPlaced(uuidv7()),
    );
    const ids = { badBytes: uuidv7(), unknownSchema: uuidv7(), unknownType: uuidv7(), bug: known.eventId };
    const records: { value: Buffer; headers: IHeaders }[] = [
      { value: Buffer.from('{not avro'), headers: ceHeaders(ids.badBytes, 'commerce.order.placed') },
      {
        value: encodeWireFormat(2_000_000_000, Buffer.from([2, 0x61])),
        headers: ceHeaders(ids.unknownSchema, 'commerce.order.placed'),
      },
      {
        value: encodeWireFormat(unknownId, avro.Type.forSchema(unknownSchema).toBuffer({ note: 'hi' })),
        headers: ceHeaders(ids.unknownType, 'test.unknown.happened'),
      },
      { value: known.value, headers: known.headers },
    ];
    await producer.send({
      topic: source,
      messages: records.map((r, i) => ({ key: `key-${i}`, value: r.value, headers: r.headers })),
    });

    // The group (and so its DLQ topic) appears after the handler started: it must be picked up without a restart.
    const consumer = new ReliableConsumer({
      kafka: handler.kafka,
      groupId: group,
      topics: [source],
      decoder: new AvroEventDecoder({ registry, readerDefinitions: Object.values(eventCatalogue) }),
      retryTiers: ['1s'],
      inProcessRetry: { maxRetries: 0 },
      fromBeginning: true,
      logger: silentLogger,
      handler: async (event) => {
        if (!(event.type in eventCatalogue)) {
          throw new TributaryError('UNKNOWN_EVENT_TYPE', `no handler for ${event.type}`);
        }
        throw new TributaryError('LEDGER_MAPPING_BUG', 'ledger mapping bug: amount sign flipped');
      },
    });
    await consumer.start();
    try {
      const stored = await waitFor(
        async () => {
          const items = await listAll(handler, `group=${group}`);
          return items.length === 4 ? items : undefined;
        },
        { timeoutMs: 60_000, message: 'four dead letters through the API' },
      );
      const byEvent = new Map(stored.map((s) => [s.eventId, s]));
      const expected: [string, string, string][] = [
        [ids.badBytes, 'DECODE_BAD_MAGIC_BYTE', '0'],
        [ids.unknownSchema, 'DECODE_UNKNOWN_SCHEMA', '1'],
        [ids.unknownType, 'UNKNOWN_EVENT_TYPE', '2'],
        [ids.bug, 'LEDGER_MAPPING_BUG', '3'],
      ];
      for (const [eventId, code, offset] of expected) {
        const summary = byEvent.get(eventId);
        expect(summary).toMatchObject({
          consumerGroup: group,
          originalTopic: source,
          originalPartition: 0,
          originalOffset: offset,
          errorCode: code,
          status: 'pending',
          attempts: 1,
        });
        const detail = (await (await handler.api(`/v1/dead-letters/${summary!.id}`)).json()) as Detail;
        const sent = records[Number(offset)]!;
        expect(Buffer.from(detail.value.base64, 'base64').equals(sent.value)).toBe(true);
        expect(detail.dlq.topic).toBe(`${group}.dlq`);
        expect(detail.errorMessage).toBeTruthy();
        expect(detail.errorStack).toBeTruthy();
        expect(detail.headers).toEqual(
          expect.arrayContaining([
            { name: 'ce_id', value: eventId, encoding: 'utf8' },
            { name: 'kafka_original-topic', value: source, encoding: 'utf8' },
            { name: 'tributary-error-code', value: code, encoding: 'utf8' },
          ]),
        );
      }
      const detailOf = async (eventId: string) =>
        (await (await handler.api(`/v1/dead-letters/${byEvent.get(eventId)!.id}`)).json()) as Detail;
      expect((await detailOf(ids.badBytes)).value).toMatchObject({ format: 'none', decoded: null });
      expect((await detailOf(ids.unknownSchema)).value.decodeError).toMatch(/schema/i);
      expect((await detailOf(ids.unknownType)).value).toMatchObject({
        format: 'avro',
        schemaId: unknownId,
        decoded: { note: 'hi' },
      });
      expect((await detailOf(ids.bug)).value).toMatchObject({
        format: 'avro',
        decoded: { customerId: 'c-1', currency: 'EUR' },
      });

      const counts = (await (await handler.api(`/v1/dead-letters/counts?group=${group}`)).json()) as {
        total: number;
        byErrorCode: { errorCode: string; total: number }[];
      };
      expect(counts.total).toBe(4);
      expect(counts.byErrorCode.map((c) => c.errorCode).sort()).toEqual(expected.map((e) => e[1]).sort());
    } finally {
      await consumer.stop();
    }
  });

  it('replays in bulk at the configured rate into the first retry tier, once each, and closes the loop', async () => {
    const group = uniqueName('replayed');
    const n = 40;
    await createTopics(brokers(), [
      { topic: `${group}.retry.1s`, partitions: 3 },
      { topic: `${group}.retry.5s`, partitions: 3 },
      { topic: `${group}.dlq`, partitions: 3 },
      { topic: `${group}.dlq.resolved`, partitions: 1 },
    ]);
    const eventIds = Array.from({ length: n }, () => uuidv7());
    await producer.send({
      topic: `${group}.dlq`,
      messages: eventIds.map((id, i) => ({
        key: `order-${i}`,
        value: Buffer.from(JSON.stringify({ i })),
        headers: forwardingHeaders({
          headers: { ...ceHeaders(id, 'commerce.order.placed'), 'x-binary': Buffer.from([0xff, 0x00, i]) },
          topic: 'commerce.order.v1',
          partition: i % 3,
          offset: String(1000 + i),
          timestamp: String(Date.now()),
          groupId: group,
          error: new TributaryError('PROVIDER_REJECTED', 'provider said no'),
          code: 'PROVIDER_REJECTED',
          attempt: 3,
        }),
      })),
    });
    const stored = await waitFor(
      async () => {
        const items = await listAll(handler, `group=${group}`);
        return items.length === n ? items : undefined;
      },
      { timeoutMs: 60_000, message: `${n} dead letters stored` },
    );
    expect(stored.every((s) => s.attempts === 3 && s.status === 'pending')).toBe(true);

    // Watch the first tier before replaying: every record that lands there is collected.
    const landed: KafkaMessage[] = [];
    const observer = handler.kafka.consumer({ groupId: uniqueName('observer') });
    await observer.connect();
    await observer.subscribe({ topics: [`${group}.retry.1s`, `${group}.retry.5s`], fromBeginning: true });
    const tiers = new Map<string, number>();
    await observer.run({
      eachMessage: async ({ topic, message }) => {
        tiers.set(topic, (tiers.get(topic) ?? 0) + 1);
        landed.push(message);
      },
    });
    try {
      const response = await handler.api('/v1/dead-letters/replay', {
        body: { filter: { group, status: 'pending' }, reason: 'provider fixed the mapping (INC-42)' },
      });
      expect(response.status).toBe(202);
      const accepted = (await response.json()) as { accepted: number; auditId: string };
      expect(accepted.accepted).toBe(n);

      await waitFor(() => landed.length >= n, {
        timeoutMs: 60_000,
        message: 'all replays in the first tier',
      });
      // A little longer: a second copy of anything would show up now.
      await waitFor(async () => (await listAll(handler, `group=${group}&status=replaying`)).length === n, {
        timeoutMs: 10_000,
        message: 'all rows replaying',
      });
      expect(landed).toHaveLength(n);
      const queued = (await (
        await handler.api(`/v1/dead-letters/counts?group=${group}&replayQueued=true`)
      ).json()) as { total: number };
      expect(queued.total).toBe(0);
      expect([...tiers.keys()]).toEqual([`${group}.retry.1s`]);
      const deadLetterIds = landed.map((m) => headerText(m.headers, 'tributary-dead-letter-id'));
      expect(new Set(deadLetterIds)).toEqual(new Set(stored.map((s) => s.id)));
      for (const message of landed) {
        const eventId = headerText(message.headers, 'ce_id')!;
        const i = eventIds.indexOf(eventId);
        expect(i).toBeGreaterThanOrEqual(0);
        expect(message.key!.toString()).toBe(`order-${i}`);
        expect(Buffer.from(message.headers!['x-binary'] as Buffer)).toEqual(Buffer.from([0xff, 0x00, i]));
        expect(headerText(message.headers, 'tributary-error-code')).toBe('PROVIDER_REJECTED');
        expect(Number(headerText(message.headers, 'retry_topic-backoff-timestamp'))).toBeLessThanOrEqual(
          Number(message.timestamp) + 1_000,
        );
      }
      // The rate bound, measured on the broker's record timestamps: at most burst + rate × span (+ slack).
      const times = landed.map((m) => Number(m.timestamp)).sort((a, b) => a - b);
      const spanSeconds = (times[times.length - 1]! - times[0]!) / 1000;
      expect(n - handler.burst).toBeLessThanOrEqual(handler.ratePerSecond * spanSeconds * 1.1 + 1);

      // The audit log says who replayed what, and why.
      const audit = await handler.pool.query<{
        actor: string;
        action: string;
        reason: string;
        details: { count: number };
      }>(`SELECT actor, action, reason, details FROM audit_log WHERE id = $1`, [accepted.auditId]);
      expect(audit.rows[0]).toMatchObject({
        actor: 'api-key:ops',
        action: 'dlq.replay',
        reason: 'provider fixed the mapping (INC-42)',
        details: { count: n },
      });

      // Close the loop: half succeed (resolution signal), half fail again on the tier and come back.
      const half = landed.slice(0, n / 2);
      const again = landed.slice(n / 2);
      await producer.send({
        topic: `${group}.dlq.resolved`,
        messages: half.map((m) => {
          const id = headerText(m.headers, 'tributary-dead-letter-id')!;
          return {
            key: id,
            value: JSON.stringify({ deadLetterId: id, consumerGroup: group }),
            headers: {
              'tributary-dead-letter-id': id,
              'kafka_dlt-original-consumer-group': group,
              ce_id: headerText(m.headers, 'ce_id')!,
            },
          };
        }),
      });
      await producer.send({
        topic: `${group}.dlq`,
        messages: again.map((m, i) => ({
          key: m.key,
          value: m.value,
          headers: forwardingHeaders({
            headers: m.headers,
            topic: `${group}.retry.1s`,
            partition: 0,
            offset: String(i),
            timestamp: m.timestamp,
            groupId: group,
            error: new TributaryError('PROVIDER_REJECTED', 'still no'),
            code: 'PROVIDER_REJECTED',
            attempt: deliveryAttempt(m.headers),
          }),
        })),
      });
      await waitFor(
        async () => {
          const resolved = await listAll(handler, `group=${group}&status=resolved`);
          const pending = await listAll(handler, `group=${group}&status=pending`);
          return resolved.length === n / 2 && pending.length === n / 2;
        },
        { timeoutMs: 30_000, message: 'half resolved, half pending again' },
      );
      const all = await listAll(handler, `group=${group}`);
      expect(all).toHaveLength(n);
      const resolvedIds = new Set(half.map((m) => headerText(m.headers, 'tributary-dead-letter-id')));
      for (const row of all) {
        if (resolvedIds.has(row.id)) {
          expect(row).toMatchObject({ status: 'resolved', deadLetteredCount: 1, attempts: 3 });
        } else {
          expect(row).toMatchObject({ status: 'pending', deadLetteredCount: 2 });
          expect(row.attempts).toBeGreaterThan(3);
        }
      }

      await waitFor(
        async () => {
          const metrics = await (await fetch(`${handler.url}/metrics`)).text();
          return metrics.includes(
            `tributary_dlq_messages{consumer_group="${group}",status="resolved",code="PROVIDER_REJECTED"} ${n / 2}`,
          );
        },
        { timeoutMs: 10_000, message: 'gauge shows the resolved rows' },
      );
    } finally {
      await observer.disconnect();
    }
  });

  it('discards with a reason, audited; resolved and discarded rows are not replayed', async () => {
    const group = uniqueName('discarded');
    await createTopics(brokers(), [
      { topic: `${group}.retry.1s`, partitions: 1 },
      { topic: `${group}.dlq`, partitions: 1 },
    ]);
    await producer.send({
      topic: `${group}.dlq`,
      messages: [0, 1].map((i) => ({
        key: null,
        value: Buffer.from([0xde, 0xad, i]),
        headers: forwardingHeaders({
          headers: ceHeaders(uuidv7(), 'commerce.order.placed'),
          topic: 'commerce.order.v1',
          partition: 0,
          offset: String(i),
          timestamp: String(Date.now()),
          groupId: group,
          error: new Error('boom'),
          code: 'UNCLASSIFIED',
          attempt: 1,
        }),
      })),
    });
    const [first, second] = await waitFor(
      async () => {
        const items = await listAll(handler, `group=${group}`);
        return items.length === 2 ? items : undefined;
      },
      { timeoutMs: 30_000, message: 'two dead letters' },
    );
    const discarded = await handler.api(`/v1/dead-letters/${first!.id}/discard`, {
      body: { reason: 'test data, never valid' },
    });
    expect(discarded.status).toBe(200);
    const again = await handler.api(`/v1/dead-letters/${first!.id}/replay`, {
      body: { reason: 'try anyway' },
    });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ code: 'DEAD_LETTER_STATE_CONFLICT' });
    const viewer = await handler.api(`/v1/dead-letters/${second!.id}/discard`, {
      body: { reason: 'not mine to do' },
      token: tokens.viewer,
    });
    expect(viewer.status).toBe(403);
    const audit = await handler.pool.query<{ actor: string; target: string; reason: string }>(
      `SELECT actor, target, reason FROM audit_log WHERE action = 'dlq.discard'`,
    );
    expect(audit.rows).toEqual([
      { actor: 'api-key:ops', target: `dead-letter:${first!.id}`, reason: 'test data, never valid' },
    ]);

    // The group hears of the discard in its first tier (a key parked behind the dead letter moves on): a
    // record with no value, the dead letter's origin and id, marked discarded. Once, for the discarded row only.
    const landed: KafkaMessage[] = [];
    const observer = handler.kafka.consumer({ groupId: uniqueName('observer') });
    await observer.connect();
    await observer.subscribe({ topics: [`${group}.retry.1s`], fromBeginning: true });
    await observer.run({ eachMessage: async ({ message }) => void landed.push(message) });
    try {
      const [signal] = await waitFor(() => landed.length >= 1 && landed, {
        timeoutMs: 30_000,
        message: 'the discard signal in the first tier',
      });
      expect(signal!.value).toBeNull();
      expect(headerText(signal!.headers, DEAD_LETTER_DISCARDED_HEADER)).toBe('1');
      expect(headerText(signal!.headers, 'tributary-dead-letter-id')).toBe(first!.id);
      expect(headerText(signal!.headers, RetryHeaders.originalOffset)).toBe(first!.originalOffset);
      const owed = await handler.pool.query(
        `SELECT id FROM dead_letters WHERE discard_signal_pending AND consumer_group = $1`,
        [group],
      );
      expect(owed.rows).toEqual([]);
      expect(landed).toHaveLength(1);
    } finally {
      await observer.disconnect();
    }
  });

  it('refuses unauthenticated and under-scoped calls and answers bad filters with problem+json 400', async () => {
    const expectProblem = async (response: Response, status: number, code: string) => {
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await response.json()).toMatchObject({ status, code });
    };
    await expectProblem(await handler.api('/v1/dead-letters', { token: null }), 401, 'API_KEY_MISSING');
    await expectProblem(
      await handler.api('/v1/dead-letters', { token: 'not-a-key' }),
      401,
      'API_KEY_INVALID',
    );
    await expectProblem(
      await handler.api('/v1/dead-letters/replay', {
        body: { filter: { group: 'x' }, reason: 'because' },
        token: tokens.viewer,
      }),
      403,
      'API_KEY_SCOPE_MISSING',
    );
    expect((await handler.api('/v1/dead-letters?limit=1', { token: tokens.viewer })).status).toBe(200);
    for (const query of [
      'status=bogus',
      'from=yesterday',
      'limit=0',
      'limit=9999',
      'colour=red',
      'group=a%20b',
      'replayQueued=maybe',
      'provider=Stripe%3Bdrop',
    ]) {
      await expectProblem(await handler.api(`/v1/dead-letters?${query}`), 400, 'DLQ_FILTER_INVALID');
    }
    await expectProblem(
      await handler.api('/v1/dead-letters?from=2026-11-27T10:00:00Z&to=2026-11-27T09:00:00Z'),
      400,
      'DLQ_FILTER_INVALID',
    );
    await expectProblem(await handler.api('/v1/dead-letters?cursor=garbage'), 400, 'DLQ_CURSOR_INVALID');
    await expectProblem(
      await handler.api('/v1/dead-letters/replay', {
        body: { filter: { status: 'nope' }, reason: 'because' },
      }),
      400,
      'DLQ_FILTER_INVALID',
    );
    await expectProblem(
      await handler.api('/v1/dead-letters/replay', {
        body: { ids: [uuidv7()], filter: { group: 'g' }, reason: 'because' },
      }),
      400,
      'DLQ_REQUEST_INVALID',
    );
    await expectProblem(await handler.api(`/v1/dead-letters/${uuidv7()}`), 404, 'DEAD_LETTER_NOT_FOUND');
  });

  it('answers a malformed id in the path with 400 DLQ_REQUEST_INVALID on every route that takes one', async () => {
    const expectProblem = async (response: Response, status: number, code: string) => {
      expect([response.url, response.status]).toEqual([response.url, status]);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await response.json()).toMatchObject({ status, code });
    };
    // Every {id} route of the committed contract, so a new one is covered without editing this test.
    const document = JSON.parse(readFileSync(new URL('../openapi.json', import.meta.url), 'utf8')) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const routes = Object.entries(document.paths)
      .filter(([path]) => path.includes('{id}'))
      .flatMap(([path, operations]) => Object.keys(operations).map((method) => ({ path, method })));
    expect(routes.map((r) => `${r.method} ${r.path}`).sort()).toEqual([
      'get /v1/dead-letters/{id}',
      'post /v1/dead-letters/{id}/discard',
      'post /v1/dead-letters/{id}/replay',
    ]);
    const call = (method: string, path: string, id: string) =>
      handler.api(path.replace('{id}', encodeURIComponent(id)), {
        method: method.toUpperCase(),
        ...(method === 'post' ? { body: { reason: 'malformed id probe' } } : {}),
      });
    for (const { method, path } of routes) {
      for (const bad of ['not-a-uuid', '12345', `${uuidv7()}x`, "1' OR '1'='1"]) {
        await expectProblem(await call(method, path, bad), 400, 'DLQ_REQUEST_INVALID');
      }
      // A well-formed id nobody has is still a 404.
      await expectProblem(await call(method, path, uuidv7()), 404, 'DEAD_LETTER_NOT_FOUND');
    }
    // Nothing reached the audit log.
    const audit = await handler.pool.query(`SELECT 1 FROM audit_log WHERE reason = 'malformed id probe'`);
    expect(audit.rowCount).toBe(0);
  });

  it('bulk discard skips ids it cannot discard, saying why, and discards the rest', async () => {
    const group = uniqueName('bulk-discard');
    await createTopics(brokers(), [
      { topic: `${group}.retry.1s`, partitions: 1 },
      { topic: `${group}.dlq`, partitions: 1 },
    ]);
    await producer.send({
      topic: `${group}.dlq`,
      messages: [0, 1, 2].map((i) => ({
        key: null,
        value: Buffer.from([0xbe, 0xef, i]),
        headers: forwardingHeaders({
          headers: ceHeaders(uuidv7(), 'commerce.order.placed'),
          topic: 'commerce.order.v1',
          partition: 0,
          offset: String(i),
          timestamp: String(Date.now()),
          groupId: group,
          error: new Error('boom'),
          code: 'UNCLASSIFIED',
          attempt: 1,
          replayTopic: `${group}.retry.1s`,
        }),
      })),
    });
    const [a, b, c] = await waitFor(
      async () => {
        const items = await listAll(handler, `group=${group}`);
        return items.length === 3 ? items : undefined;
      },
      { timeoutMs: 30_000, message: 'three dead letters' },
    );
    const discardOne = await handler.api(`/v1/dead-letters/discard`, {
      body: { ids: [a!.id], reason: 'first pass' },
    });
    expect(discardOne.status).toBe(200);

    // Named once more, alone: reported, not a 409 for the whole request.
    const alone = await handler.api(`/v1/dead-letters/discard`, {
      body: { ids: [a!.id], reason: 'second pass' },
    });
    expect(alone.status).toBe(200);
    expect(await alone.json()).toMatchObject({
      discarded: 0,
      ids: [],
      skipped: [
        {
          id: a!.id,
          status: 'discarded',
          code: 'DEAD_LETTER_STATE_CONFLICT',
          reason: expect.stringContaining('it is discarded'),
        },
      ],
    });

    const missing = uuidv7();
    const mixed = await handler.api(`/v1/dead-letters/discard`, {
      body: { ids: [a!.id, b!.id, missing, c!.id], reason: 'second pass' },
    });
    expect(mixed.status).toBe(200);
    const result = (await mixed.json()) as {
      discarded: number;
      ids: string[];
      skipped: { id: string; status: string; code: string; reason: string }[];
      auditId: string;
    };
    expect(result.discarded).toBe(2);
    expect(result.ids.sort()).toEqual([b!.id, c!.id].sort());
    expect(result.skipped).toEqual([
      {
        id: a!.id,
        status: 'discarded',
        code: 'DEAD_LETTER_STATE_CONFLICT',
        reason: expect.stringContaining('it is discarded'),
      },
      { id: missing, status: 'missing', code: 'DEAD_LETTER_NOT_FOUND', reason: 'no dead letter has this id' },
    ]);
    const statuses = (await listAll(handler, `group=${group}`)).map((s) => s.status);
    expect(statuses).toEqual(['discarded', 'discarded', 'discarded']);
    const audit = await handler.pool.query<{
      target: string;
      details: { count: number; skipped: unknown[] };
    }>(`SELECT target, details FROM audit_log WHERE id = $1`, [result.auditId]);
    expect(audit.rows[0]!.details.count).toBe(2);
    expect(audit.rows[0]!.details.skipped).toHaveLength(2);

    // The single-id route still answers the state of its one dead letter.
    const single = await handler.api(`/v1/dead-letters/${a!.id}/discard`, { body: { reason: 'third pass' } });
    expect(single.status).toBe(409);
    expect(await single.json()).toMatchObject({ code: 'DEAD_LETTER_STATE_CONFLICT' });
  });
});
