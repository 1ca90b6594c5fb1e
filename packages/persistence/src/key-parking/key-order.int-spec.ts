import { TributaryError } from '@tributary/contracts';
import {
  DEAD_LETTER_DISCARDED_HEADER,
  DEAD_LETTER_ID_HEADER,
  ParkingHeaders,
  RetryHeaders,
  headerText,
} from '@tributary/kafka';
import type { ReliableConsumer, ReliableConsumerOptions } from '@tributary/kafka';
import { waitFor } from '@tributary/testkit';
import type { Kafka, Producer } from 'kafkajs';
import { PostgresKeyParking } from '../index.js';
import { createTestSchema, type TestSchema } from '../../test/support/database.js';
import { requireEnv, uniqueSuffix } from '../../test/support/env.js';
import { runTs } from '../../test/support/process.js';
import { createTopics, deleteTopics, kafkaClient } from '../../test/support/kafka.js';
import {
  createEffects,
  effectBatchHandler,
  effectHandler,
  effectsOf,
  orderedConsumer,
  publishOrdered,
  readTopic,
} from '../../test/support/ordering.js';
import type { Ordered } from '../../test/support/ordering.js';

const worker = 'packages/persistence/test/fixtures/ordered-consumer.ts';
const KEYS = ['k0', 'k1', 'k2', 'k3', 'k4', 'k5'];
const PER_KEY = 6;

const retriable = (what: string) => new TributaryError('TEST_FLAKY', what, { retriable: true });
const permanent = (what: string) => new TributaryError('TEST_BROKEN', what, { retriable: false });

describe('per-key order through retry tiers and the DLQ (Postgres parking, real Kafka)', () => {
  let db: TestSchema;
  let kafka: Kafka;
  let producer: Producer;
  let effects: string;
  const topics: string[] = [];
  const running: ReliableConsumer[] = [];

  beforeAll(async () => {
    db = await createTestSchema('key_order');
    kafka = kafkaClient(requireEnv('KAFKA_BROKERS'), 'key-order-test');
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    effects = await createEffects(db.dataSource, db.schema);
  });
  afterEach(async () => {
    for (const consumer of running.splice(0)) await consumer.stop();
  });
  afterAll(async () => {
    await producer?.disconnect();
    if (kafka) await deleteTopics(kafka, topics);
    await db?.dispose();
  });

  /** A fresh topic (2 partitions) and group; the effects of its keys are told apart by a key prefix. */
  async function scenario(name: string) {
    const suffix = uniqueSuffix();
    const topic = `test.key-order.${name}.${suffix}`;
    const groupId = `key-order-${name}-${suffix}`;
    await createTopics(kafka, [topic], 2);
    topics.push(
      topic,
      `${groupId}.retry.1s`,
      `${groupId}.retry.2s`,
      `${groupId}.dlq`,
      `${groupId}.dlq.resolved`,
    );
    const keys = KEYS.map((key) => `${name}-${key}`);
    const applied = async () => (await effectsOf(db.dataSource, effects)).filter((e) => keys.includes(e.key));
    return { topic, groupId, keys, applied };
  }

  /** The environment of `worker` (test/fixtures/ordered-consumer.ts) on this scenario's topic and group. */
  function workerEnv(topic: string, groupId: string, rest: Record<string, string>): Record<string, string> {
    return {
      DATABASE_URL: db.url,
      SCHEMA: db.schema,
      KAFKA_BROKERS: requireEnv('KAFKA_BROKERS'),
      TOPIC: topic,
      GROUP: groupId,
      EFFECTS: effects,
      ...rest,
    };
  }

  /** Starts a consumer of the scenario's topic and group, keeping order by key; stopped after the test. */
  function consume(
    topic: string,
    groupId: string,
    options: Pick<ReliableConsumerOptions, 'handler'> & Partial<Parameters<typeof orderedConsumer>[0]>,
  ): Promise<void> {
    const consumer = orderedConsumer({
      kafka,
      groupId,
      topics: [topic],
      dataSource: db.dataSource,
      ...options,
    });
    running.push(consumer);
    return consumer.start();
  }

  /** Each key's applied sequence numbers, in the order they were applied. */
  function sequences(applied: readonly Ordered[]): Map<string, number[]> {
    const byKey = new Map<string, number[]>();
    for (const { key, seq } of applied) byKey.set(key, [...(byKey.get(key) ?? []), seq]);
    return byKey;
  }

  const all = Array.from({ length: PER_KEY }, (_, i) => i + 1);

  it.each([1, 4])(
    'holds a key behind its record in a retry tier while other keys flow (key concurrency %i)',
    async (keyConcurrency) => {
      const { topic, groupId, keys, applied } = await scenario(`retry${keyConcurrency}`);
      const [slow] = keys as [string];
      const failures = new Map<string, number>();
      // The second event of one key fails twice (source topic, first tier), then succeeds in the second tier.
      const fail = ({ key, seq }: Ordered) => {
        if (key !== slow || seq !== 2) return;
        const n = (failures.get(key) ?? 0) + 1;
        failures.set(key, n);
        if (n <= 2) throw retriable(`attempt ${n} of ${key}#${seq}`);
      };
      await publishOrdered(producer, topic, keys, PER_KEY);
      await consume(topic, groupId, {
        keyConcurrency,
        handler: effectHandler(db.dataSource, groupId, effects, fail),
      });

      await waitFor(async () => (await applied()).length === keys.length * PER_KEY, {
        message: 'every event applied',
        timeoutMs: 60_000,
      });
      const done = await applied();
      const byKey = sequences(done);
      for (const key of keys) expect(byKey.get(key)).toEqual(all);
      expect(failures.get(slow)).toBe(3);
      // The other keys did not wait: all their events were applied before the held one.
      const held = done.find((e) => e.key === slow && e.seq === 2)!;
      const othersLast = Math.max(...done.filter((e) => e.key !== slow).map((e) => e.n));
      expect(othersLast).toBeLessThan(held.n);
      // Nothing stays parked once the key is released.
      const stats = await new PostgresKeyParking(db.dataSource).stats(groupId);
      expect(stats.records).toBe(0);
    },
  );

  it('skip: a head dead-lettered after its tiers lets the parked records go, and its DLQ entry names them', async () => {
    const { topic, groupId, keys, applied } = await scenario('skip');
    const [broken] = keys as [string];
    await publishOrdered(producer, topic, keys, PER_KEY);
    await consume(topic, groupId, {
      onDeadLetter: 'skip',
      handler: effectHandler(db.dataSource, groupId, effects, ({ key, seq }) => {
        if (key === broken && seq === 2) throw retriable(`${key}#${seq} keeps failing`);
      }),
    });

    await waitFor(async () => (await applied()).length === keys.length * PER_KEY - 1, {
      message: 'every event but the dead-lettered one applied',
      timeoutMs: 60_000,
    });
    const byKey = sequences(await applied());
    expect(byKey.get(broken)).toEqual([1, 3, 4, 5, 6]);
    for (const key of keys.slice(1)) expect(byKey.get(key)).toEqual(all);

    const [dead] = await readTopic(kafka, `${groupId}.dlq`, 1);
    expect(headerText(dead!.headers, ParkingHeaders.parkedBehind)).toBe('4');
    expect(headerText(dead!.headers, ParkingHeaders.parkedFate)).toBe('released');
    const origins = headerText(dead!.headers, ParkingHeaders.parkedOrigins)!.split(',');
    expect(origins).toHaveLength(4);
    expect(origins.every((origin) => origin.startsWith(`${topic}/`))).toBe(true);
  });

  it('block: a dead-lettered head keeps its key parked until the dead letter is replayed or discarded, then releases it in order', async () => {
    const { topic, groupId, keys, applied } = await scenario('block');
    const [broken, dropped] = keys as [string, string];
    let fixed = false;
    await publishOrdered(producer, topic, keys, PER_KEY);
    await consume(topic, groupId, {
      onDeadLetter: 'block',
      handler: effectHandler(db.dataSource, groupId, effects, ({ key, seq }) => {
        if ((!fixed || key === dropped) && [broken, dropped].includes(key) && seq === 2)
          throw permanent(`${key}#${seq} is rejected`);
      }),
    });

    const parking = new PostgresKeyParking(db.dataSource);
    await waitFor(
      async () =>
        (await applied()).length === (keys.length - 2) * PER_KEY + 2 &&
        (await parking.stats(groupId)).records === 2 * (PER_KEY - 2),
      {
        message: 'the other keys applied, the broken keys parked behind their dead letters',
        timeoutMs: 60_000,
      },
    );
    expect(sequences(await applied()).get(broken)).toEqual([1]);
    expect(sequences(await applied()).get(dropped)).toEqual([1]);
    expect(await parking.stats(groupId)).toMatchObject({ keys: 2, records: 2 * (PER_KEY - 2) });

    // What the dlq-handler sends on a replay (the dead letter as stored) and on a discard (no value, the
    // dead letter's headers, marked discarded), into the group's first tier.
    const dead = await readTopic(kafka, `${groupId}.dlq`, 2);
    const deadOf = (key: string) => dead.find((record) => String(record.key) === key)!;
    for (const record of dead) {
      expect(headerText(record.headers, RetryHeaders.originalTopic)).toBe(topic);
      expect(headerText(record.headers, ParkingHeaders.parkedBehind)).toBeUndefined();
    }
    fixed = true;
    const due = { [RetryHeaders.backoffTimestamp]: String(Date.now()) };
    await producer.send({
      topic: `${groupId}.retry.1s`,
      acks: -1,
      messages: [
        {
          key: deadOf(broken).key,
          value: deadOf(broken).value,
          headers: { ...deadOf(broken).headers, ...due, [DEAD_LETTER_ID_HEADER]: 'dead-letter-1' },
        },
        {
          key: deadOf(dropped).key,
          value: null,
          headers: {
            ...deadOf(dropped).headers,
            ...due,
            [DEAD_LETTER_ID_HEADER]: 'dead-letter-2',
            [DEAD_LETTER_DISCARDED_HEADER]: '1',
          },
        },
      ],
    });

    await waitFor(async () => (await applied()).length === keys.length * PER_KEY - 1, {
      message: 'the replayed head, and everything parked behind both heads, applied',
      timeoutMs: 60_000,
    });
    expect(sequences(await applied()).get(broken)).toEqual(all);
    expect(sequences(await applied()).get(dropped)).toEqual([1, 3, 4, 5, 6]);
    await waitFor(async () => (await parking.stats(groupId)).records === 0, {
      message: 'the park emptied',
    });
  });

  it('SIGKILLs with records parked and in flight, and during a release, lose none, apply none twice, reorder none', async () => {
    const { topic, groupId, keys, applied } = await scenario('sigkill');
    const perKey = 20;
    const total = keys.length * perKey;
    await publishOrdered(producer, topic, keys, perKey);
    const env = workerEnv(topic, groupId, { FAIL_KEY: keys[0]!, FAIL_SEQ: '2', HANDLE_MS: '50' });
    const parking = new PostgresKeyParking(db.dataSource);

    const first = runTs(worker, env);
    try {
      // The failing key's later events are parked behind it, and the other keys are part way through.
      await waitFor(
        async () => (await parking.stats(groupId)).records >= 3 && (await applied()).length >= 20,
        { message: 'records parked and others applied', timeoutMs: 60_000 },
      );
    } finally {
      first.child.kill('SIGKILL');
    }
    await first.exited;
    const atKill = await applied();
    expect(atKill.length).toBeLessThan(total);
    expect((await parking.stats(groupId)).records).toBeGreaterThan(0);

    // Killed again while the parked records of the failing key are being released.
    const second = runTs(worker, env);
    const released = async () => (await applied()).filter((e) => e.key === keys[0]).length;
    try {
      await waitFor(async () => (await released()) >= 4, {
        message: 'the parked key part way released',
        timeoutMs: 90_000,
      });
    } finally {
      second.child.kill('SIGKILL');
    }
    await second.exited;
    expect(await released()).toBeLessThan(perKey);

    const third = runTs(worker, env);
    try {
      await waitFor(async () => (await applied()).length >= total, {
        message: `all ${total} events applied after the restart`,
        timeoutMs: 90_000,
      });
      await waitFor(async () => (await parking.stats(groupId)).records === 0, {
        message: 'the park emptied',
      });
    } finally {
      third.child.kill('SIGTERM');
      await third.exited;
    }
    const done = await applied();
    expect(done).toHaveLength(total);
    const byKey = sequences(done);
    const expected = Array.from({ length: perKey }, (_, i) => i + 1);
    for (const key of keys) expect(byKey.get(key)).toEqual(expected);
  }, 180_000);

  it('batch inbox: one transaction per batch, a failing record isolated, duplicates and parked keys kept in order', async () => {
    const { topic, groupId, keys, applied } = await scenario('batch');
    const [retried, rejected] = keys as [string, string];
    const perKey = 40;
    await publishOrdered(producer, topic, keys, perKey);
    // A redelivered copy of an event already on the topic: the same id again.
    const [copy] = await readTopic(kafka, topic, 1);
    await producer.send({ topic, acks: -1, messages: [{ key: copy!.key, value: copy!.value }] });
    const calls = { count: 0 };
    const fail = ({ key, seq }: Ordered, attempt = 1) => {
      if (key === rejected && seq === 7) throw permanent(`${key}#${seq} is rejected`);
      if (key === retried && seq === 3 && attempt === 1) throw retriable(`${key}#${seq} not yet`);
    };
    await consume(topic, groupId, {
      onDeadLetter: 'skip',
      batch: {
        handler: effectBatchHandler(db.dataSource, groupId, effects, { fail, calls }),
        maxRecords: 50,
      },
      handler: effectHandler(db.dataSource, groupId, effects, fail),
    });

    const total = keys.length * perKey - 1;
    await waitFor(async () => (await applied()).length >= total, {
      message: 'every event but the rejected one applied',
      timeoutMs: 60_000,
    });
    const done = await applied();
    expect(done).toHaveLength(total);
    const byKey = sequences(done);
    const every = Array.from({ length: perKey }, (_, i) => i + 1);
    expect(byKey.get(rejected)).toEqual(every.filter((seq) => seq !== 7));
    expect(byKey.get(retried)).toEqual(every);
    for (const key of keys.slice(2)) expect(byKey.get(key)).toEqual(every);
    // Far fewer transactions than events: 241 records, chunks of at most 50, a few refused and redone.
    expect(calls.count).toBeLessThan(30);
  });

  it('a SIGKILL inside a batch inbox transaction keeps none of it, and the restart applies each event once', async () => {
    const { topic, groupId, keys, applied } = await scenario('batchkill');
    const perKey = 30;
    const total = keys.length * perKey;
    await publishOrdered(producer, topic, keys, perKey);
    const env = workerEnv(topic, groupId, { FAIL_KEY: 'none', FAIL_SEQ: '0', HANDLE_MS: '0', BATCH: '1' });
    const first = runTs(worker, { ...env, BATCH_HOLD_MS: '600000' });
    try {
      await waitFor(() => first.lines.some((line) => line.event === 'batch-open'), {
        message: 'a batch transaction open with its effects written',
        timeoutMs: 60_000,
      });
    } finally {
      first.child.kill('SIGKILL');
    }
    await first.exited;
    expect(await applied()).toHaveLength(0);

    const second = runTs(worker, env);
    try {
      await waitFor(async () => (await applied()).length >= total, {
        message: `all ${total} events applied after the restart`,
        timeoutMs: 90_000,
      });
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
    const done = await applied();
    expect(done).toHaveLength(total);
    const byKey = sequences(done);
    for (const key of keys) expect(byKey.get(key)).toEqual(Array.from({ length: perKey }, (_, i) => i + 1));
  }, 180_000);
});
