import {
  DEAD_LETTER_DISCARDED_HEADER,
  KafkaEventProducer,
  createKafkaClient,
  headerText,
  silentLogger,
} from '@tributary/kafka';
import { createDataSource } from '@tributary/persistence';
import { TokenBucket } from '@tributary/service-kit';
import { createTestDatabase, createTopics, stackFromEnv, uniqueName, waitFor } from '@tributary/testkit';
import type { TestDatabase } from '@tributary/testkit';
import type { DataSource } from 'typeorm';
import { DEAD_LETTER_ID_HEADER, captureOf } from './domain/dead-letter.js';
import { CaptureStore } from './capture-store.js';
import { deadLetterMigrations } from './migrations.js';
import { OperatorCommands } from './operator-commands.js';
import { ReplayQueue } from './replay-queue.js';
import { findReplayed } from './replay-recovery.js';
import { ReplayDispatcher } from './replay.dispatcher.js';
import { TopicDirectory } from './topic-directory.js';

const REPLAYS = 1_000;
const DISCARDS = 100;

/**
 * Two replicas on one table, on the real Kafka and Postgres: each its own pool, producer, bucket and owner id,
 * both running their dispatch loop as the app does, over one bulk selection of 1,000 replays (and 100 discard
 * signals). Every record is counted in the tier by its dead-letter id.
 */
describe('replays with two replicas (real Kafka and Postgres)', () => {
  const brokers = stackFromEnv().kafka.brokers;
  const kafka = createKafkaClient({ clientId: 'replay-replicas-test', brokers, logger: silentLogger });
  const admin = kafka.admin();
  let db: TestDatabase;
  let seeding: DataSource;

  beforeAll(async () => {
    await admin.connect();
    db = await createTestDatabase({ prefix: 'dlq_replicas' });
    seeding = await createDataSource({
      url: db.url,
      migrationsRun: true,
      migrations: deadLetterMigrations,
    }).initialize();
  });
  afterAll(async () => {
    await admin.disconnect();
    await seeding?.destroy();
    await db?.drop();
  });

  /** One replica's dispatcher with its own pool and producer; `sent` lists the ids it sent. */
  async function replica(name: string) {
    const dataSource = await createDataSource({ url: db.url }).initialize();
    const producer = new KafkaEventProducer(kafka);
    await producer.connect();
    const sent: string[] = [];
    const dispatcher = new ReplayDispatcher({
      queue: new ReplayQueue(dataSource, { owner: `${name}-${uniqueName('owner')}`, leaseMs: 30_000 }),
      sink: {
        sendMessages: async (batch) => {
          for (const { message } of batch) sent.push(String(message.headers![DEAD_LETTER_ID_HEADER]));
          return producer.sendMessages(batch);
        },
      },
      topics: new TopicDirectory(admin),
      // Small rounds, so the two replicas' claims interleave over the whole selection.
      bucket: new TokenBucket({ ratePerSecond: 500, burst: 20 }),
      batchSize: 50,
      findReplayed: (topic, since, wanted) => findReplayed(kafka, topic, since, wanted),
      logger: silentLogger,
      idleMs: 100,
    });
    return {
      dispatcher,
      sent,
      async close() {
        await dispatcher.stop();
        await producer.disconnect();
        await dataSource.destroy();
      },
    };
  }

  async function recordsIn(topic: string): Promise<number> {
    return (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
  }

  /** Per dead-letter id, how many replays and how many discard signals the topic holds, read to its end. */
  async function recordsPerId(topic: string) {
    const total = await recordsIn(topic);
    const replays = new Map<string, number>();
    const signals = new Map<string, number>();
    let read = 0;
    const reader = kafka.consumer({ groupId: uniqueName('reader') });
    await reader.connect();
    try {
      await reader.subscribe({ topics: [topic], fromBeginning: true });
      await reader.run({
        eachMessage: async ({ message }) => {
          const id = headerText(message.headers, DEAD_LETTER_ID_HEADER) ?? '(none)';
          const counts = headerText(message.headers, DEAD_LETTER_DISCARDED_HEADER) ? signals : replays;
          counts.set(id, (counts.get(id) ?? 0) + 1);
          read += 1;
        },
      });
      await waitFor(() => read >= total, { timeoutMs: 60_000, message: `${total} records of ${topic} read` });
      return { replays, signals };
    } finally {
      await reader.disconnect();
    }
  }

  it('sends each of 1,000 replays and 100 discard signals exactly once, every row ends replayed', async () => {
    const group = uniqueName('replicas');
    const tier = `${group}.retry.1s`;
    await createTopics(brokers, [{ topic: tier, partitions: 3 }]);
    const capture = new CaptureStore(seeding);
    const ids: string[] = [];
    for (let start = 0; start < REPLAYS + DISCARDS; start += 25) {
      const chunk = await Promise.all(
        Array.from({ length: Math.min(25, REPLAYS + DISCARDS - start) }, (_, j) =>
          capture.capture(
            captureOf({
              topic: `${group}.dlq`,
              partition: 0,
              offset: String(start + j),
              timestamp: String(Date.now()),
              key: Buffer.from(`key-${(start + j) % 37}`),
              value: Buffer.from(`value-${start + j}`),
              headers: { 'tributary-error-code': 'X', 'tributary-replay-topic': tier },
            }),
            { kind: 'none', reason: 'test' },
          ),
        ),
      );
      ids.push(...chunk.map((c) => c.id));
    }
    const replayIds = ids.slice(0, REPLAYS);
    const discardIds = ids.slice(REPLAYS);
    const commands = new OperatorCommands();
    await seeding.transaction(async (manager) => {
      await commands.discard(manager, { ids: discardIds }, 'test', 'test');
      // One bulk selection, as the API's filter replay accepts it.
      expect(
        await commands.markForReplay(manager, { filter: { group, status: 'pending' } }, 'test', 'test'),
      ).toHaveLength(REPLAYS);
    });

    const a = await replica('a');
    const b = await replica('b');
    try {
      a.dispatcher.start();
      b.dispatcher.start();
      await waitFor(
        async () => {
          const [row] = (await seeding.query(
            `SELECT count(*) FILTER (WHERE NOT replay_pending AND replay_count = 1 AND replayed_at IS NOT NULL) AS replayed,
                    count(*) FILTER (WHERE NOT discard_signal_pending AND status = 'discarded') AS signalled
             FROM dead_letters`,
          )) as { replayed: string; signalled: string }[];
          return Number(row!.replayed) === REPLAYS && Number(row!.signalled) === DISCARDS;
        },
        { timeoutMs: 60_000, message: 'every replay sent and every discard signalled' },
      );
    } finally {
      await a.close();
      await b.close();
    }

    // Both replicas took part, and no id was sent by both (nor twice by one).
    expect(a.sent.length).toBeGreaterThan(0);
    expect(b.sent.length).toBeGreaterThan(0);
    expect(a.sent.length + b.sent.length).toBe(REPLAYS + DISCARDS);
    expect(new Set([...a.sent, ...b.sent]).size).toBe(REPLAYS + DISCARDS);

    expect(await recordsIn(tier)).toBe(REPLAYS + DISCARDS);
    const { replays, signals } = await recordsPerId(tier);
    expect(replays).toEqual(new Map(replayIds.map((id) => [id, 1])));
    expect(signals).toEqual(new Map(discardIds.map((id) => [id, 1])));
    const [claims] = (await seeding.query(
      `SELECT count(*) AS n FROM dead_letters WHERE claimed_by IS NOT NULL OR replay_pending`,
    )) as { n: string }[];
    expect(Number(claims!.n)).toBe(0);
  });
});
