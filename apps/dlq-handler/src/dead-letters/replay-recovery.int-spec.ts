import { createKafkaClient, silentLogger } from '@tributary/kafka';
import { createDataSource } from '@tributary/persistence';
import { TokenBucket } from '@tributary/service-kit';
import { createTestDatabase, createTopics, stackFromEnv, uniqueName } from '@tributary/testkit';
import type { TestDatabase } from '@tributary/testkit';
import type { DataSource } from 'typeorm';
import { captureOf } from './domain/dead-letter.js';
import { CaptureStore } from './capture-store.js';
import { deadLetterMigrations } from './migrations.js';
import { OperatorCommands } from './operator-commands.js';
import { ReplayQueue } from './replay-queue.js';
import { findReplayed } from './replay-recovery.js';
import { ReplayDispatcher, replayMessage } from './replay.dispatcher.js';
import { TopicDirectory } from './topic-directory.js';

describe('replays in doubt after a crash (real Kafka and Postgres)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  const kafka = createKafkaClient({
    clientId: 'replay-recovery-test',
    brokers: stackFromEnv().kafka.brokers,
  });

  const admin = kafka.admin();

  beforeAll(async () => {
    await admin.connect();
    db = await createTestDatabase({ prefix: 'dlq_recovery' });
    dataSource = await createDataSource({
      url: db.url,
      migrationsRun: true,
      migrations: deadLetterMigrations,
    }).initialize();
  });
  afterAll(async () => {
    await admin.disconnect();
    await dataSource?.destroy();
    await db?.drop();
  });

  it('settles the rows whose send landed and sends the others again, once', async () => {
    const group = uniqueName('recovering');
    const tier = `${group}.retry.1s`;
    await createTopics(stackFromEnv().kafka.brokers, [{ topic: tier, partitions: 2 }]);
    const queue = new ReplayQueue(dataSource);
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
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
    // The crashed process marked all three as sending; only the first two reached Kafka.
    await queue.markSending(ids);
    const producer = kafka.producer();
    await producer.connect();
    const items = await queue.nextToReplay(10);
    await producer.send({
      topic: tier,
      messages: items.filter((item) => item.id !== ids[2]).map((item) => replayMessage(item, Date.now())),
    });
    await producer.disconnect();

    const sent: string[] = [];
    const dispatcher = new ReplayDispatcher({
      queue,
      sink: {
        sendMessages: async (batch) => {
          for (const { message } of batch) sent.push(String(message.headers!['tributary-dead-letter-id']));
        },
      },
      topics: new TopicDirectory(admin),
      bucket: new TokenBucket({ ratePerSecond: 1_000, burst: 100 }),
      findReplayed: (topic, since, wanted) => findReplayed(kafka, topic, since, wanted),
      logger: silentLogger,
    });
    await dispatcher.recoverInDoubt();
    expect(await dispatcher.dispatchOnce()).toBe(1);
    expect(sent).toEqual([ids[2]]);
    const rows = await dataSource.query(
      `SELECT id, replay_pending, replay_count, replay_sending_since FROM dead_letters ORDER BY id`,
    );
    expect(rows).toEqual(
      ids.map((id) => ({ id, replay_pending: false, replay_count: 1, replay_sending_since: null })),
    );
  });
});
