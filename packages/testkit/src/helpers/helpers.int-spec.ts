import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { createTestDatabase } from './test-database.js';
import { createTopics } from './topics.js';
import { stackFromEnv } from './stack-from-env.js';
import { uniqueName } from './unique-name.js';

const stack = stackFromEnv();

describe('createTopics', () => {
  it('creates topics with the asked partition count and leaders ready', async () => {
    const orders = uniqueName('testkit.orders');
    const refs = uniqueName('testkit.refs');
    await createTopics(stack.kafka.brokers, [
      { topic: orders, partitions: 3 },
      { topic: refs, partitions: 1, config: { 'cleanup.policy': 'compact' } },
    ]);

    const admin = new Kafka({
      clientId: 'testkit-int',
      brokers: stack.kafka.brokers,
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [orders, refs] });
      const partitions = Object.fromEntries(topics.map((t) => [t.name, t.partitions]));
      expect(partitions[orders]).toHaveLength(3);
      expect(partitions[refs]).toHaveLength(1);
      expect(topics.flatMap((t) => t.partitions).every((p) => p.leader >= 0)).toBe(true);
    } finally {
      await admin.disconnect();
    }
  });
});

describe('createTestDatabase', () => {
  it('gives a private database that drop() removes', async () => {
    const db = await createTestDatabase({ prefix: 'testkit' });
    const client = new pg.Client({ connectionString: db.url });
    // drop() terminates this connection; pg reports that as an error event.
    client.on('error', () => undefined);
    await client.connect();
    const current = await client.query<{ name: string }>('select current_database() as name');
    expect(current.rows[0]?.name).toBe(db.name);
    await client.query('create table probe (id int primary key)');
    // Left open on purpose: drop() must end connections a test forgot.

    await db.drop();

    const admin = new pg.Client({ connectionString: stack.postgres.url });
    await admin.connect();
    try {
      const left = await admin.query('select 1 from pg_database where datname = $1', [db.name]);
      expect(left.rowCount).toBe(0);
    } finally {
      await admin.end();
      await client.end().catch(() => undefined);
    }
  });
});
