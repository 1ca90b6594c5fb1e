import { KafkaEventProducer, createKafkaClient, headerText, silentLogger } from '@tributary/kafka';
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
import { ReplayDispatcher, replayMessage } from './replay.dispatcher.js';
import { TopicDirectory } from './topic-directory.js';

/**
 * Rows in doubt, on the real Kafka and Postgres: claimed by a replica that died (its lease expired, no process
 * behind it) and settled by a live one from the tier topic; claimed by a live replica and left alone.
 */
describe('replays in doubt after a replica died (real Kafka and Postgres)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  const brokers = stackFromEnv().kafka.brokers;
  const kafka = createKafkaClient({ clientId: 'replay-recovery-test', brokers, logger: silentLogger });
  const admin = kafka.admin();
  const producer = new KafkaEventProducer(kafka);

  beforeAll(async () => {
    await admin.connect();
    await producer.connect();
    db = await createTestDatabase({ prefix: 'dlq_recovery' });
    dataSource = await createDataSource({
      url: db.url,
      migrationsRun: true,
      migrations: deadLetterMigrations,
    }).initialize();
  });
  afterAll(async () => {
    await producer.disconnect();
    await admin.disconnect();
    await dataSource?.destroy();
    await db?.drop();
  });

  /** How many records of each dead-letter id the topic holds, read to its end. */
  async function recordsPerId(topic: string): Promise<Map<string, number>> {
    const total = (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
    const counts = new Map<string, number>();
    let read = 0;
    const reader = kafka.consumer({ groupId: uniqueName('reader') });
    await reader.connect();
    try {
      await reader.subscribe({ topics: [topic], fromBeginning: true });
      await reader.run({
        eachMessage: async ({ message }) => {
          const id = headerText(message.headers, DEAD_LETTER_ID_HEADER) ?? '(none)';
          counts.set(id, (counts.get(id) ?? 0) + 1);
          read += 1;
        },
      });
      await waitFor(() => read >= total, { message: `${total} record(s) of ${topic} read` });
      return counts;
    } finally {
      await reader.disconnect();
    }
  }

  it('settles a dead replica’s rows once (found: not sent again; not found: sent once) and leaves a live replica’s alone', async () => {
    const group = uniqueName('recovering');
    const tier = `${group}.retry.1s`;
    await createTopics(brokers, [{ topic: tier, partitions: 2 }]);
    const ids: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      const { id } = await new CaptureStore(dataSource).capture(
        captureOf({
          topic: `${group}.dlq`,
          partition: 0,
          offset: String(i),
          timestamp: String(Date.now()),
          key: Buffer.from(`k-${i}`),
          value: Buffer.from(`v-${i}`),
          headers: { 'tributary-error-code': 'X' },
        }),
        { kind: 'none', reason: 'test' },
      );
      ids.push(id);
    }
    await dataSource.transaction((manager) =>
      new OperatorCommands().markForReplay(manager, { ids }, 'test', 'test'),
    );
    // A replica claimed the first three and died after only the first two reached Kafka; its lease then
    // expired (set in the past here rather than waited for).
    const dead = new ReplayQueue(dataSource, { owner: 'dead-replica', leaseMs: 60_000 });
    const claimedByDead = await dead.claimNextToReplay(3);
    expect(claimedByDead.map((item) => item.id)).toEqual(ids.slice(0, 3));
    await producer.sendMessages(
      claimedByDead.slice(0, 2).map((item) => ({ topic: tier, message: replayMessage(item, Date.now()) })),
    );
    await dataSource.query(
      `UPDATE dead_letters SET claim_expires_at = now() - interval '1 second' WHERE claimed_by = 'dead-replica'`,
    );
    // A live replica holds the fourth, sending it right now.
    const live = new ReplayQueue(dataSource, { owner: 'live-replica', leaseMs: 600_000 });
    expect((await live.claimNextToReplay(10)).map((item) => item.id)).toEqual([ids[3]]);

    const sent: string[] = [];
    const dispatcher = new ReplayDispatcher({
      queue: new ReplayQueue(dataSource, { owner: 'recovering-replica', leaseMs: 60_000 }),
      sink: {
        sendMessages: async (batch) => {
          for (const { message } of batch) sent.push(String(message.headers![DEAD_LETTER_ID_HEADER]));
          return producer.sendMessages(batch);
        },
      },
      topics: new TopicDirectory(admin),
      bucket: new TokenBucket({ ratePerSecond: 1_000, burst: 100 }),
      findReplayed: (topic, since, wanted) => findReplayed(kafka, topic, since, wanted),
      logger: silentLogger,
    });
    expect(await dispatcher.recoverInDoubt()).toBe(3);
    expect(await dispatcher.dispatchOnce()).toBe(1);
    expect(await dispatcher.recoverInDoubt()).toBe(0);
    expect(await dispatcher.dispatchOnce()).toBe(0);

    expect(sent).toEqual([ids[2]]);
    expect(await recordsPerId(tier)).toEqual(new Map(ids.slice(0, 3).map((id) => [id, 1])));
    const rows = await dataSource.query(
      `SELECT id, replay_pending, replay_count, claimed_by FROM dead_letters ORDER BY id`,
    );
    expect(rows).toEqual([
      ...ids.slice(0, 3).map((id) => ({ id, replay_pending: false, replay_count: 1, claimed_by: null })),
      { id: ids[3], replay_pending: true, replay_count: 0, claimed_by: 'live-replica' },
    ]);

    // Fencing: the dead replica, were it only frozen, can no longer mark the rows it lost; the live one can.
    expect(await dead.markReplayed(ids.slice(0, 3))).toBe(3);
    expect(await live.markReplayed([ids[3]!])).toBe(0);
    const counts = (await dataSource.query(`SELECT replay_count FROM dead_letters ORDER BY id`)) as {
      replay_count: number;
    }[];
    expect(counts.map((r) => r.replay_count)).toEqual([1, 1, 1, 1]);
  });
});
