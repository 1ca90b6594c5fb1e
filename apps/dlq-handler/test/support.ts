import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createKafkaClient } from '@tributary/kafka';
import {
  createTestDatabase,
  pickFreePorts,
  stackFromEnv,
  startBuiltApp,
  uniqueName,
} from '@tributary/testkit';
import type { NodeProcessHandle, TestDatabase } from '@tributary/testkit';
import type { Kafka } from 'kafkajs';
import pg from 'pg';

const mainJs = fileURLToPath(new URL('../dist/main.js', import.meta.url));

/** Tokens the fixture configures: only their sha256 goes into the app's environment. */
export const tokens = {
  ops: `ops-${uniqueName('token')}`,
  viewer: `viewer-${uniqueName('token')}`,
} as const;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export interface DlqHandlerFixture {
  readonly url: string;
  readonly db: TestDatabase;
  readonly pool: pg.Pool;
  readonly kafka: Kafka;
  readonly ratePerSecond: number;
  readonly burst: number;
  start(): Promise<NodeProcessHandle>;
  /** Another replica: the same database, consumer group and settings, on its own port. */
  startReplica(): Promise<{ app: NodeProcessHandle; url: string }>;
  close(): Promise<void>;
  /** An API call with the ops key unless `token` says otherwise (null: no Authorization header). */
  api(path: string, init?: { method?: string; body?: unknown; token?: string | null }): Promise<Response>;
}

/** The built app as a process on the real stack, with its own database and consumer group. */
export async function dlqHandler(
  options: { ratePerSecond?: number; burst?: number; env?: Record<string, string> } = {},
): Promise<DlqHandlerFixture> {
  const stack = stackFromEnv();
  const db = await createTestDatabase({ prefix: 'dlq' });
  const port = 20000 + Math.floor(Math.random() * 20000);
  const ratePerSecond = options.ratePerSecond ?? 20;
  const burst = options.burst ?? 1;
  const env = {
    PORT: String(port),
    DATABASE_URL: db.url,
    KAFKA_BROKERS: stack.kafka.brokers.join(','),
    SCHEMA_REGISTRY_URL: stack.registry.url,
    CONSUMER_GROUP: uniqueName('dlq-handler'),
    TOPIC_REFRESH_MS: '500',
    REPLAY_RATE_PER_SECOND: String(ratePerSecond),
    REPLAY_BURST: String(burst),
    METRICS_REFRESH_MS: '500',
    CONSUMER_SESSION_TIMEOUT_MS: '6000',
    API_KEYS: [
      `ops:${sha256(tokens.ops)}:dlq:read+dlq:replay+dlq:discard`,
      `viewer:${sha256(tokens.viewer)}:dlq:read`,
    ].join(','),
    LOG_LEVEL: 'warn',
    ...options.env,
  };
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  const kafka = createKafkaClient({ clientId: 'dlq-handler-test', brokers: stack.kafka.brokers });
  const url = `http://127.0.0.1:${port}`;
  const running = new Set<NodeProcessHandle>();
  return {
    url,
    db,
    pool,
    kafka,
    ratePerSecond,
    burst,
    async start() {
      const app = await startBuiltApp(mainJs, { env, readyUrl: `${url}/health/ready`, name: 'dlq-handler' });
      running.add(app);
      void app.exited.then(() => running.delete(app));
      return app;
    },
    async startReplica() {
      const [replicaPort] = await pickFreePorts(1);
      const replicaUrl = `http://127.0.0.1:${replicaPort}`;
      const app = await startBuiltApp(mainJs, {
        env: { ...env, PORT: String(replicaPort) },
        readyUrl: `${replicaUrl}/health/ready`,
        name: 'dlq-handler replica',
      });
      running.add(app);
      void app.exited.then(() => running.delete(app));
      return { app, url: replicaUrl };
    },
    async close() {
      await Promise.all([...running].map((app) => app.kill('SIGTERM')));
      await pool.end();
      await db.drop();
    },
    api(path, init = {}) {
      const token = init.token === undefined ? tokens.ops : init.token;
      return fetch(`${url}${path}`, {
        method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
        headers: {
          ...(token === null ? {} : { authorization: `Bearer ${token}` }),
          ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      });
    },
  };
}

export interface Summary {
  id: string;
  consumerGroup: string;
  originalTopic: string;
  originalPartition: number;
  originalOffset: string;
  eventId: string | null;
  errorCode: string;
  errorClass: string | null;
  status: string;
  attempts: number;
  deadLetteredCount: number;
  replayCount: number;
}

/** Every dead letter of a group, following cursors. */
export async function listAll(fixture: DlqHandlerFixture, query: string): Promise<Summary[]> {
  const items: Summary[] = [];
  let cursor: string | null = null;
  do {
    const response = await fixture.api(
      `/v1/dead-letters?${query}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    if (!response.ok) throw new Error(`list → ${response.status}: ${await response.text()}`);
    const page = (await response.json()) as { items: Summary[]; nextCursor: string | null };
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}
