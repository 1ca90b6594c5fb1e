import { fileURLToPath } from 'node:url';
import { createKafkaClient } from '@tributary/kafka';
import { createTestDatabase, stackFromEnv, startBuiltApp, uniqueName } from '@tributary/testkit';
import type { NodeProcessHandle, TestDatabase } from '@tributary/testkit';
import type { Kafka } from 'kafkajs';
import pg from 'pg';

const mainJs = fileURLToPath(new URL('../dist/main.js', import.meta.url));

export interface ExampleServiceFixture {
  readonly url: string;
  readonly db: TestDatabase;
  readonly pool: pg.Pool;
  readonly kafka: Kafka;
  readonly group: string;
  readonly env: Record<string, string>;
  start(): Promise<NodeProcessHandle>;
  close(): Promise<void>;
}

/**
 * The built app as a process on the real stack, with its own database and consumer group. Tests kill and
 * restart it; the database and group outlive each process, as they would across a real crash.
 */
export async function exampleService(): Promise<ExampleServiceFixture> {
  const stack = stackFromEnv();
  const db = await createTestDatabase({ prefix: 'example' });
  const group = uniqueName('example-service');
  const port = 20000 + Math.floor(Math.random() * 20000);
  const env = {
    PORT: String(port),
    DATABASE_URL: db.url,
    KAFKA_BROKERS: stack.kafka.brokers.join(','),
    SCHEMA_REGISTRY_URL: stack.registry.url,
    CONSUMER_GROUP: group,
    RETRY_TIERS: '1s,2s',
    // A killed member holds its partitions until this passes; the crash tests restart right away.
    CONSUMER_SESSION_TIMEOUT_MS: '6000',
    LOG_LEVEL: 'warn',
  };
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  const kafka = createKafkaClient({ clientId: 'example-service-test', brokers: stack.kafka.brokers });
  const url = `http://127.0.0.1:${port}`;
  const running = new Set<NodeProcessHandle>();
  return {
    url,
    db,
    pool,
    kafka,
    group,
    env,
    async start() {
      const app = await startBuiltApp(mainJs, {
        env,
        readyUrl: `${url}/health/ready`,
        name: 'example-service',
      });
      running.add(app);
      void app.exited.then(() => running.delete(app));
      return app;
    },
    async close() {
      await Promise.all([...running].map((app) => app.kill('SIGTERM')));
      await pool.end();
      await db.drop();
    },
  };
}

export async function placeOrder(
  url: string,
  n: number,
): Promise<{ orderId: string; eventId: string; orderNumber: string }> {
  const response = await fetch(`${url}/v1/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'correlation-id': `test-${n}` },
    body: JSON.stringify({
      customerId: `customer-${n}`,
      currency: 'EUR',
      lines: [{ sku: `SKU-${n}`, quantity: 1 + (n % 3), unitPriceMinor: 1000 + n }],
    }),
  });
  if (response.status !== 202)
    throw new Error(`POST /v1/orders → ${response.status}: ${await response.text()}`);
  return (await response.json()) as { orderId: string; eventId: string; orderNumber: string };
}

/** Ledger rows per event id: the effect count the exactly-once tests assert on. */
export async function ledgerCounts(pool: pg.Pool): Promise<Map<string, number>> {
  const { rows } = await pool.query<{ event_id: string; n: string }>(
    'SELECT event_id, count(*) AS n FROM order_ledger GROUP BY event_id',
  );
  return new Map(rows.map((row) => [row.event_id, Number(row.n)]));
}
