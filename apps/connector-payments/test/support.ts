import { fileURLToPath } from 'node:url';
import type { ConformanceHarness, LedgerEntry } from '@tributary/connector-sdk';
import { eventCatalogue } from '@tributary/contracts';
import type { EventOf } from '@tributary/contracts';
import {
  AvroEventEncoder,
  KafkaEventProducer,
  SchemaRegistryClient,
  createKafkaClient,
  dlqTopicName,
} from '@tributary/kafka';
import { namesFor } from '@tributary/persistence';
import {
  createTestDatabase,
  spawnNodeProcess,
  stackFromEnv,
  startBuiltApp,
  uniqueName,
} from '@tributary/testkit';
import type { NodeProcessHandle } from '@tributary/testkit';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';

const connectorMain = fileURLToPath(new URL('../dist/main.js', import.meta.url));
// The simulator runs from source (plain node:http, no decorators): a path, not an import of another app.
const simMain = fileURLToPath(new URL('../../provider-sim/src/main.ts', import.meta.url));
const TOPIC = 'payments.payment.v1';
const EFFECT_ROUTE = 'POST /v1/payment_intents';

/**
 * connector-payments as a process on the real stack, against the provider simulator as a process, with its
 * own database and consumer group: what the SDK's conformance suite drives.
 */
export async function paymentsHarness(): Promise<ConformanceHarness> {
  const stack = stackFromEnv();
  const sim = spawnNodeProcess(simMain, { env: { PORT: '0' } });
  const simUrl = (await sim.waitForOutput(/"url":"(http:[^"]+)"/, { timeoutMs: 30_000 }))[1]!;

  const db = await createTestDatabase({ prefix: 'connector_payments' });
  const group = uniqueName('connector-payments');
  const port = 20000 + Math.floor(Math.random() * 20000);
  const env = {
    PORT: String(port),
    DATABASE_URL: db.url,
    KAFKA_BROKERS: stack.kafka.brokers.join(','),
    SCHEMA_REGISTRY_URL: stack.registry.url,
    CONSUMER_GROUP: group,
    RETRY_TIERS: '1s,2s',
    // A killed member holds its partitions until this passes; the crash scenario restarts at once.
    CONSUMER_SESSION_TIMEOUT_MS: '6000',
    PROVIDER_TIMEOUT_MS: '2000',
    LOG_LEVEL: 'warn',
    STRIPE_API_BASE: simUrl,
    STRIPE_API_KEY: 'sk_test_conformance',
  };
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  const kafka = createKafkaClient({ clientId: 'connector-payments-test', brokers: stack.kafka.brokers });
  const registry = new SchemaRegistryClient({ url: stack.registry.url });
  const producer = new KafkaEventProducer(kafka, {
    encoder: new AvroEventEncoder({ registry, definitions: Object.values(eventCatalogue) }),
  });
  await producer.connect();
  const raw = kafka.producer();
  await raw.connect();

  let app: NodeProcessHandle | undefined;
  const start = async () => {
    app = await startBuiltApp(connectorMain, {
      env,
      readyUrl: `http://127.0.0.1:${port}/health/ready`,
      name: 'connector-payments',
    });
  };
  await start();

  // The DLQ exists once the connector started (it creates its tier and DLQ topics).
  const dlqKeys = new Set<string>();
  const dlq = kafka.consumer({ groupId: uniqueName('payments-dlq-reader') });
  await dlq.connect();
  await dlq.subscribe({ topic: dlqTopicName(group), fromBeginning: true });
  await dlq.run({
    eachMessage: async ({ message }) => {
      if (message.key) dlqKeys.add(message.key.toString());
    },
  });

  const { inboxTable, outboxTable } = namesFor('connector_payments');
  const simAdmin = (path: string, init?: RequestInit) => fetch(`${simUrl}/__admin${path}`, init);

  return {
    sim: {
      async setFault(fault) {
        const response = await simAdmin('/faults', {
          method: 'POST',
          body: JSON.stringify({ route: EFFECT_ROUTE, ...fault }),
        });
        if (!response.ok) throw new Error(`setFault → ${response.status}: ${await response.text()}`);
      },
      async clearFaults() {
        await simAdmin('/faults', { method: 'DELETE' });
      },
      async ledger() {
        const body = (await (await simAdmin('/ledger')).json()) as { entries: LedgerEntry[] };
        return body.entries;
      },
    },
    app: {
      start,
      async kill(signal) {
        if (!app) throw new Error('connector-payments is not running');
        const { code } = await app.kill(signal);
        return { code };
      },
    },
    async trigger({ eventId, subject, copies = 1 }) {
      const event: EventOf<'payments.payment.requested'> = {
        id: eventId,
        type: 'payments.payment.requested',
        source: '/tributary/conformance',
        subject,
        time: new Date().toISOString(),
        data: {
          paymentId: subject,
          orderId: uuidv7(),
          customerId: uuidv7(),
          amountMinor: 4200,
          currency: 'EUR',
          paymentMethod: null,
          description: null,
          requestedAt: Date.now(),
        },
      };
      for (let copy = 0; copy < copies; copy++) await producer.publish(event);
    },
    async publishPoison(key) {
      await raw.send({ topic: TOPIC, messages: [{ key, value: Buffer.from('not an avro record') }] });
    },
    async processed(eventId) {
      const { rows } = await pool.query(
        `SELECT 1 FROM ${inboxTable} WHERE consumer_group = $1 AND event_id = $2`,
        [group, eventId],
      );
      return rows.length > 0;
    },
    async inDlq(key) {
      return dlqKeys.has(key);
    },
    async outcomes(eventId) {
      const { rows } = await pool.query<{ n: string }>(
        `SELECT count(*) AS n FROM ${outboxTable} WHERE headers->>'causation-id' = $1`,
        [eventId],
      );
      return Number(rows[0]!.n);
    },
    async metrics() {
      return (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    },
    async close() {
      await dlq.disconnect();
      await raw.disconnect();
      await producer.disconnect();
      await app?.kill('SIGTERM');
      await sim.kill('SIGTERM');
      await pool.end();
      await db.drop();
    },
  };
}
