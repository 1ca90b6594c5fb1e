import { eventCatalogue } from '@tributary/contracts';
import {
  AvroEventEncoder,
  KafkaEventProducer,
  SchemaRegistryClient,
  createKafkaClient,
} from '@tributary/kafka';
import { createDataSource } from '@tributary/persistence';
import {
  createTestDatabase,
  createTopics,
  spawnNodeProcess,
  stackFromEnv,
  uniqueName,
  waitFor,
} from '@tributary/testkit';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { newOrderIds, placeOrder } from '../src/orders/domain/order.js';
import { CreateOrders1764288000000 } from '../src/orders/orders.migration.js';
import { ledgerCounts } from './support.js';

const worker = fileURLToPath(new URL('./fixtures/stalling-ledger-consumer.ts', import.meta.url));

describe('a consumer killed with SIGKILL inside its transaction', () => {
  const stack = stackFromEnv();

  it('loses no effect and doubles none after a restart', async () => {
    const db = await createTestDatabase({ prefix: 'consumer_crash' });
    const migrated = await createDataSource({
      url: db.url,
      migrations: [CreateOrders1764288000000],
      migrationsRun: true,
    }).initialize();
    await migrated.destroy();
    const pool = new pg.Pool({ connectionString: db.url, max: 2 });
    const topic = uniqueName('orders');
    await createTopics(stack.kafka.brokers, [{ topic, partitions: 1 }]);

    // 30 orders on one partition; the 12th is the one the first worker stalls on.
    const kafka = createKafkaClient({ clientId: 'consumer-crash-test', brokers: stack.kafka.brokers });
    const encoder = new AvroEventEncoder({
      registry: new SchemaRegistryClient({ url: stack.registry.url }),
      definitions: Object.values(eventCatalogue),
    });
    const producer = new KafkaEventProducer(kafka);
    await producer.connect();
    const events = Array.from({ length: 30 }, (_, i) =>
      placeOrder(
        {
          customerId: i === 11 ? 'stall-here' : `customer-${i}`,
          currency: 'EUR',
          lines: [{ sku: 'A', quantity: 1, unitPriceMinor: 100 + i }],
        },
        newOrderIds(i),
        new Date(),
      ),
    );
    const records = await Promise.all(events.map((event) => encoder.encode(event)));
    await producer.send(records.map((record) => ({ ...record, topic })));
    await producer.disconnect();

    const group = uniqueName('ledger');
    const env = {
      DATABASE_URL: db.url,
      KAFKA_BROKERS: stack.kafka.brokers.join(','),
      SCHEMA_REGISTRY_URL: stack.registry.url,
      CONSUMER_GROUP: group,
      TOPIC: topic,
    };
    const stalled = events[11]!;
    try {
      const first = spawnNodeProcess(worker, { env: { ...env, STALL_CUSTOMER: 'stall-here' } });
      const [, stalledId] = await first.waitForOutput(/STALLED (\S+)/, { timeoutMs: 60_000 });
      expect(stalledId).toBe(stalled.id);
      // The stalled effect is written but not committed: nobody else can see it yet.
      expect((await ledgerCounts(pool)).get(stalled.id)).toBeUndefined();
      await first.kill('SIGKILL');

      const second = spawnNodeProcess(worker, { env });
      await waitFor(async () => (await ledgerCounts(pool)).size === events.length, {
        timeoutMs: 90_000,
        message: 'all 30 effects applied after the restart',
      });
      const counts = await ledgerCounts(pool);
      expect([...counts.keys()].sort()).toEqual(events.map((e) => e.id).sort());
      expect([...counts.values()].every((n) => n === 1)).toBe(true);
      // Redeliveries after the restart reached the inbox and were skipped, not applied.
      const { rows } = await pool.query<{ n: string }>(
        'SELECT count(*) AS n FROM inbox WHERE consumer_group = $1',
        [group],
      );
      expect(Number(rows[0]!.n)).toBe(events.length);
      await second.kill('SIGTERM');
    } finally {
      await pool.end();
      await db.drop();
    }
  });
});
