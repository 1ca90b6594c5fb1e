import { waitFor } from '@tributary/testkit';
import { Outbox, OutboxRelay } from '../index.js';
import { createTestSchema, type TestSchema } from '../../test/support/database.js';
import { requireEnv, uniqueSuffix } from '../../test/support/env.js';
import {
  consumeUntil,
  createTopics,
  deleteTopics,
  KafkajsSink,
  kafkaClient,
} from '../../test/support/kafka.js';
import { checkPerKeyOrder, interleaved } from '../../test/support/records.js';
import type { Kafka } from 'kafkajs';

describe('OutboxRelay with a real Kafka idempotent producer', () => {
  let db: TestSchema;
  let kafka: Kafka;
  let sink: KafkajsSink;
  const topics = [`test.relay-a.v1.${uniqueSuffix()}`, `test.relay-b.v1.${uniqueSuffix()}`];

  beforeAll(async () => {
    db = await createTestSchema('relay_kafka');
    kafka = kafkaClient(requireEnv('KAFKA_BROKERS'), 'persistence-relay-test');
    await createTopics(kafka, topics, 3);
    sink = new KafkajsSink(kafka);
    await sink.connect();
  });
  afterAll(async () => {
    await sink?.disconnect();
    if (kafka) await deleteTopics(kafka, topics);
    await db?.dispose();
  });

  it('delivers every row, with its headers, in per-key order across partitions and topics', async () => {
    // Two topics, 12 keys each, 60 events per key, written by several transactions.
    const records = topics.flatMap((topic, t) => interleaved(topic, 12, 60, 1024, `t${t}`));
    const outbox = new Outbox();
    for (let i = 0; i < records.length; i += 250) {
      await db.dataSource.transaction((manager) => outbox.add(manager, records.slice(i, i + 250)));
    }
    const relay = new OutboxRelay({ dataSource: db.dataSource, sink, batchSize: 200 });
    relay.start();
    try {
      await waitFor(
        async () =>
          (await db.admin.query(`SELECT 1 FROM "${db.schema}".outbox WHERE published_at IS NULL LIMIT 1`))
            .rowCount === 0,
        { message: 'all rows published', timeoutMs: 60_000 },
      );
    } finally {
      await relay.stop();
    }

    const expected = new Set(records.map((record) => record.eventId));
    const seen = new Set<string>();
    const received = await consumeUntil(
      kafka,
      topics,
      () => seen.size === expected.size,
      async (record) => {
        if (expected.has(record.eventId)) seen.add(record.eventId);
      },
    );
    const perKey = new Map<string, number>();
    for (const record of records) perKey.set(record.key, 60);
    const verdict = checkPerKeyOrder(
      received.map((record) => ({ key: record.key, seq: record.seq })),
      perKey,
    );
    expect(verdict.missing).toEqual([]);
    expect(verdict.outOfOrder).toEqual([]);
    // Each key stays on one partition, which is what per-key order rests on.
    const partitionsPerKey = new Map<string, Set<number>>();
    for (const record of received) {
      const key = `${record.topic}/${record.headers['ce_subject']}`;
      partitionsPerKey.set(key, (partitionsPerKey.get(key) ?? new Set()).add(record.partition));
    }
    expect([...partitionsPerKey.values()].every((set) => set.size === 1)).toBe(true);
    const sample = records[0]!;
    const arrived = received.find((record) => record.eventId === sample.eventId)!;
    expect(arrived.headers).toEqual(sample.headers);
  }, 180_000);
});
