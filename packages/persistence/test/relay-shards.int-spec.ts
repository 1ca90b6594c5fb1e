import type { EncodedRecord } from '@tributary/kafka';
import type { Kafka } from 'kafkajs';
import { waitFor } from '@tributary/testkit';
import { Outbox } from '../src/index.js';
import { createTestSchema, type TestSchema } from './support/database.js';
import { requireEnv, uniqueSuffix } from './support/env.js';
import { consumeUntil, createTopics, deleteTopics, kafkaClient } from './support/kafka.js';
import { runTs, type WorkerProcess } from './support/process.js';
import { checkPerKeyOrder, testRecord } from './support/records.js';

const worker = 'packages/persistence/test/fixtures/relay-worker.ts';
const SHARDS = 4;
const BATCH = 20;
const KEYS = 50;

describe('relay shards: two relay processes on one outbox, one killed with SIGKILL mid-stream', () => {
  let db: TestSchema;
  let kafka: Kafka;
  const topic = `test.relay-shards.v1.${uniqueSuffix()}`;
  const running: WorkerProcess[] = [];

  beforeAll(async () => {
    db = await createTestSchema('relay_shards');
    kafka = kafkaClient(requireEnv('KAFKA_BROKERS'), 'persistence-shards-test');
    await createTopics(kafka, [topic], 6);
  });
  afterAll(async () => {
    for (const process of running) process.child.kill('SIGKILL');
    await Promise.all(running.map((process) => process.exited));
    if (kafka) await deleteTopics(kafka, [topic]);
    await db?.dispose();
  });

  function start(): WorkerProcess {
    const process = runTs(worker, {
      DATABASE_URL: db.url,
      OUTBOX_SCHEMA: db.schema,
      KAFKA_BROKERS: requireEnv('KAFKA_BROKERS'),
      RELAY_BATCH_SIZE: String(BATCH),
      RELAY_SHARDS: String(SHARDS),
      RELAY_CLAIM_INTERVAL_MS: '100',
      // Slows each acknowledged batch a little, so the kill lands while both relays are mid-stream.
      RELAY_ACK_DELAY_MS: '20',
    });
    running.push(process);
    return process;
  }

  /** The shards a worker holds according to its own claimed and released lines. */
  function held(process: WorkerProcess): Set<number> {
    const shards = new Set<number>();
    for (const line of process.lines) {
      if (line['event'] === 'claimed') shards.add(Number(line['shard']));
      if (line['event'] === 'released') shards.delete(Number(line['shard']));
    }
    return shards;
  }

  const published = (process: WorkerProcess) =>
    process.lines
      .filter((line) => line['event'] === 'published')
      .reduce((sum, line) => sum + Number(line['count']), 0);

  async function unpublished(): Promise<number> {
    const { rows } = await db.admin.query(
      `SELECT count(*)::int AS n FROM "${db.schema}".outbox WHERE published_at IS NULL`,
    );
    return rows[0].n;
  }

  it('spreads the shards, loses nothing through the kill, keeps per-key order, duplicates only the killed relay’s shards', async () => {
    const a = start();
    await waitFor(() => held(a).size === SHARDS, { message: 'A alone holds every shard', timeoutMs: 60_000 });
    const b = start();
    // (2) Both live relays hold shards: A gives back what is above its fair share and B claims it.
    await waitFor(() => held(a).size === SHARDS / 2 && held(b).size === SHARDS / 2, {
      message: 'the shards spread over A and B',
      timeoutMs: 60_000,
    });
    expect([...held(a), ...held(b)].sort()).toEqual([0, 1, 2, 3]);

    // Writers: one row per key and sequence number per transaction, while both relays publish, through the
    // kill and the takeover; the backlog is kept small so that the relays, not the writers, set the pace.
    const outbox = new Outbox();
    const records: EncodedRecord[] = [];
    let stopWriting = false;
    const writing = (async () => {
      for (let seq = 0; !stopWriting; seq++) {
        await waitFor(async () => (await unpublished()) < 300, {
          message: 'backlog below 300',
          timeoutMs: 60_000,
        });
        const round = Array.from({ length: KEYS }, (_, k) => testRecord(topic, `key-${k}`, seq, 256));
        await db.dataSource.transaction((manager) => outbox.add(manager, round));
        records.push(...round);
      }
    })();
    await waitFor(() => published(a) >= 200 && published(b) >= 200, {
      message: 'both relays publishing',
      timeoutMs: 60_000,
    });
    const killedShards = held(a);
    a.child.kill('SIGKILL');
    expect(await a.exited).toEqual({ code: null, signal: 'SIGKILL' });
    const writtenAtKill = records.length;

    // The survivor takes the dead relay's shards over (their locks went with its session).
    await waitFor(() => held(b).size === SHARDS, { message: 'B holds every shard', timeoutMs: 30_000 });
    const publishedByB = published(b);
    await waitFor(() => published(b) >= publishedByB + 500, {
      message: 'B publishes every shard',
      timeoutMs: 60_000,
    });
    stopWriting = true;
    await writing;
    expect(records.length).toBeGreaterThan(writtenAtKill);
    await waitFor(async () => (await unpublished()) === 0, {
      message: 'every row published',
      timeoutMs: 90_000,
    });
    const perKey = records.length / KEYS;

    const expected = new Set(records.map((record) => record.eventId));
    const firstSeen = new Set<string>();
    const received = await consumeUntil(
      kafka,
      [topic],
      () => firstSeen.size === expected.size,
      async (record) => {
        firstSeen.add(record.eventId);
      },
    );
    const verdict = checkPerKeyOrder(
      received,
      new Map(Array.from({ length: KEYS }, (_, k) => [`key-${k}`, perKey] as const)),
    );
    expect(verdict.missing).toEqual([]);
    expect(verdict.outOfOrder).toEqual([]);

    // Duplicates come only from the killed relay's shards, at most the two batches per shard that can be
    // sent and not yet marked (one acknowledged and being marked, one travelling).
    const counts = new Map<string, number>();
    for (const record of received) counts.set(record.eventId, (counts.get(record.eventId) ?? 0) + 1);
    const duplicatedKeys = [
      ...new Set(received.filter((record) => counts.get(record.eventId)! > 1).map((record) => record.key)),
    ];
    const { rows } = await db.admin.query<{ shard: number }>(
      `SELECT DISTINCT ((hashtext(key)::int8 & 4294967295) % $2)::int AS shard
       FROM unnest($1::text[]) AS key`,
      [duplicatedKeys, SHARDS],
    );
    for (const { shard } of rows) expect(killedShards.has(shard)).toBe(true);
    expect(verdict.duplicates).toBeLessThanOrEqual(2 * BATCH * killedShards.size);
  }, 240_000);
});
