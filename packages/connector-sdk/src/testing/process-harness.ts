import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TributaryError, eventCatalogue } from '@tributary/contracts';
import type { DomainEvent, EventOf, EventTopic, EventType } from '@tributary/contracts';
import {
  AvroEventDecoder,
  AvroEventEncoder,
  KafkaEventProducer,
  SchemaRegistryClient,
  DEAD_LETTER_ID_HEADER,
  REPLAY_TOPIC_HEADER,
  createKafkaClient,
  dlqTopicName,
  headerText,
} from '@tributary/kafka';
import type { RawHeaders } from '@tributary/kafka';
import { namesFor } from '@tributary/persistence';
import {
  createTestDatabase,
  pickFreePorts,
  spawnNodeProcess,
  stackFromEnv,
  startBuiltApp,
  uniqueName,
} from '@tributary/testkit';
import type { NodeProcessHandle } from '@tributary/testkit';
import pg from 'pg';
import type { ConformanceHarness, LedgerEntry } from '../conformance/connector-conformance.js';
import { TestingErrorCode, sampleEvent } from './sample-event.js';

/** What the connector writes for one handled event, which the suite expects exactly once. */
export type ConnectorOutcome =
  /** Events in its outbox caused by the handled event (`causation-id`): the default. */
  | 'outbox'
  /**
   * `external_refs` rows of this type whose internal id is the handled event's id: for a connector whose
   * effect has no catalogue event yet (a freshly generated one records the provider's object this way).
   */
  | { externalRefType: string };

export interface ConnectorProcessHarnessOptions<T extends EventType> {
  /** The definition's id: database schema `connector_<id>`, consumer group `connector-<id>_<unique>`. */
  connectorId: string;
  /** The connector's built entry point, e.g. `fileURLToPath(new URL('../dist/main.js', import.meta.url))`. */
  main: string;
  /** The simulator route the effect goes to, which the suite's faults target, e.g. `POST /v1/effects`. */
  effectRoute: string;
  /** The connector's own variables pointing it at the simulator, e.g. `{ STRIPE_API_BASE: simUrl, ... }`. */
  providerEnv: (simUrl: string) => Record<string, string>;
  /** The type of the triggering event: its topic is the one the poison record goes to. */
  eventType: T;
  /** Builds the triggering event; default `sampleEvent(eventType, { id: eventId, subject })`. */
  event?: (ids: { eventId: string; subject: string }) => EventOf<T>;
  /** Default `'outbox'`. */
  outcome?: ConnectorOutcome;
  /** Extra simulator variables (webhook targets, throttles). */
  simEnv?: Record<string, string>;
  /** Extra or overriding connector variables (after the harness's own and `providerEnv`). */
  env?: Record<string, string>;
  /**
   * The simulator's entry point: by default `PROVIDER_SIM_MAIN` (e.g. its `dist/main.js`), else
   * `apps/provider-sim/src/main.ts` found above this module or the working directory.
   */
  simMain?: string;
  /** How long the connector may take to become ready. Default 60 s. */
  readyTimeoutMs?: number;
}

/** Another process of the same connector: same group, database and topics, its own port. */
export interface ConnectorReplica {
  /** `http://127.0.0.1:<port>` of this replica. */
  readonly appUrl: string;
  /** Its `/metrics` text. */
  metrics(): Promise<string>;
  kill(signal: 'SIGTERM' | 'SIGKILL'): Promise<{ code: number | null }>;
  /** What it printed so far. */
  output(): string;
}

/** The conformance harness plus what a connector's own e2e tests need next to the suite. */
export interface ConnectorProcessHarness extends ConformanceHarness {
  readonly simUrl: string;
  /** `http://127.0.0.1:<port>` of the connector (the same port across restarts). */
  readonly appUrl: string;
  readonly databaseUrl: string;
  /** `connector_<id>`: where the inbox, outbox and external_refs tables are. */
  readonly schema: string;
  readonly consumerGroup: string;
  /** `KAFKA_TOPIC_PREFIX` of this run: the connector's topics are `<prefix><catalogue topic>`. */
  readonly topicPrefix: string;
  /** Publishes catalogue events (Avro, registry) as another service would. */
  publish(...events: readonly DomainEvent[]): Promise<void>;
  /** A query on the connector's database. */
  query<R extends Record<string, unknown> = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<R[]>;
  /** What the connector process printed so far (for failure messages). */
  appOutput(): string;
  /**
   * Starts one more replica of the connector (the harness's variables, `env` over them, its own port) and
   * resolves once it is ready; `close()` stops it. Several replicas share the group's partitions.
   */
  startReplica(env?: Record<string, string>): Promise<ConnectorReplica>;
  /**
   * The events on a catalogue topic (under this run's prefix), decoded as a consumer would, from its
   * beginning: a live list that grows as records arrive. The first call for a topic starts its reader.
   */
  topicEvents(topic: EventTopic): Promise<readonly DomainEvent[]>;
  /** The records of the group's DLQ with this key, as they arrived (raw value and headers). */
  deadLetters(key: string): readonly DeadLetterRecord[];
  /**
   * Replays the last dead letter with this key as the dlq-handler does: the raw record to the tier its
   * `tributary-replay-topic` header names, with a `tributary-dead-letter-id`. `headers` replace some of the
   * dead letter's (a `kafka_original-timestamp` a week back: a dead letter replayed a week later).
   */
  replayDeadLetter(key: string, options?: { headers?: Record<string, string> }): Promise<void>;
}

/** One record read from the group's DLQ. */
export interface DeadLetterRecord {
  readonly key: string;
  readonly value: Buffer | null;
  readonly headers: RawHeaders;
}

/**
 * A connector app as a process on the real stack (stack variables from the environment, as the int jest
 * project's global setup exports them), against the provider simulator as a process, with its own database
 * and consumer group, so test files run in parallel. What `describeConnectorConformance` drives:
 *
 *   describeConnectorConformance({ connectorId: 'payments', newId: uuidv7,
 *     setup: () => connectorProcessHarness({ connectorId: 'payments', main, effectRoute, providerEnv, eventType }) });
 *
 * The connector runs with short retry tiers (1s,2s), a 6 s session timeout (a killed member's partitions
 * come back quickly) and a 2 s provider timeout; `env` overrides any of them.
 */
export async function connectorProcessHarness<T extends EventType>(
  options: ConnectorProcessHarnessOptions<T>,
): Promise<ConnectorProcessHarness> {
  const cleanups: Array<() => Promise<unknown>> = [];
  const close = async () => {
    const errors: unknown[] = [];
    // Reverse order of acquisition; one failing step must not leak the others.
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error: unknown) => errors.push(error));
    cleanups.length = 0;
    if (errors.length > 0) throw new AggregateError(errors, 'connector harness: close failed');
  };
  try {
    return await build(options, cleanups, close);
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
}

async function build<T extends EventType>(
  options: ConnectorProcessHarnessOptions<T>,
  cleanups: Array<() => Promise<unknown>>,
  close: () => Promise<void>,
): Promise<ConnectorProcessHarness> {
  const { connectorId } = options;
  const name = `connector-${connectorId}`;
  const schema = `connector_${connectorId.replaceAll('-', '_')}`;
  const topic = eventCatalogue[options.eventType].topic;
  const buildEvent =
    options.event ?? (({ eventId, subject }) => sampleEvent(options.eventType, { id: eventId, subject }));
  const stack = stackFromEnv();

  // The simulator runs from source (plain node:http, no decorators), so it is never a stale build.
  const sim = spawnNodeProcess(options.simMain ?? (process.env.PROVIDER_SIM_MAIN || findProviderSim()), {
    env: { ...options.simEnv, PORT: '0' },
  });
  cleanups.push(() => sim.kill('SIGTERM'));
  const simUrl = (await sim.waitForOutput(/"url":"(http:[^"]+)"/, { timeoutMs: 30_000 }))[1]!;

  const db = await createTestDatabase({ prefix: schema });
  cleanups.push(() => db.drop());
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  // An idle client whose connection ends (the database is dropped WITH (FORCE) at close, or a restart of
  // Postgres) emits 'error' on the pool; unhandled, that would crash the test worker instead of failing
  // the query that needs it.
  pool.on('error', () => undefined);
  cleanups.push(() => pool.end());

  const group = uniqueName(name);
  // Its own copy of every catalogue topic: a new group reads from the beginning, and on the shared topics it
  // would first work through every event other tests (and earlier runs on a reused stack) published there.
  const topicPrefix = `${uniqueName('conformance')}.`;
  const [port] = (await pickFreePorts(1)) as [number];
  const appUrl = `http://127.0.0.1:${port}`;
  const env = {
    PORT: String(port),
    DATABASE_URL: db.url,
    DATABASE_SCHEMA: schema,
    KAFKA_BROKERS: stack.kafka.brokers.join(','),
    SCHEMA_REGISTRY_URL: stack.registry.url,
    KAFKA_TOPIC_PREFIX: topicPrefix,
    CONSUMER_GROUP: group,
    RETRY_TIERS: '1s,2s',
    // A killed member holds its partitions until this passes; the crash scenario restarts at once.
    CONSUMER_SESSION_TIMEOUT_MS: '6000',
    PROVIDER_TIMEOUT_MS: '2000',
    LOG_LEVEL: 'warn',
    // Against the simulator, with its test keys: whatever the shell running the tests exported.
    TRIBUTARY_ENV: 'test',
    ...options.providerEnv(simUrl),
    ...options.env,
  };

  const kafka = createKafkaClient({ clientId: `${name}-test`, brokers: stack.kafka.brokers });
  const registry = new SchemaRegistryClient({ url: stack.registry.url });
  const producer = new KafkaEventProducer(kafka, {
    encoder: new AvroEventEncoder({
      registry,
      definitions: Object.values(eventCatalogue).map((d) => ({ ...d, topic: `${topicPrefix}${d.topic}` })),
    }),
  });
  await producer.connect();
  cleanups.push(() => producer.disconnect());
  const raw = kafka.producer();
  await raw.connect();
  cleanups.push(() => raw.disconnect());

  let app: NodeProcessHandle | undefined;
  // Every run of the app (the suite restarts it), for failure messages.
  const runs: NodeProcessHandle[] = [];
  const start = async () => {
    app = await startBuiltApp(options.main, {
      env,
      readyUrl: `${appUrl}/health/ready`,
      name,
      timeoutMs: options.readyTimeoutMs ?? 60_000,
    });
    runs.push(app);
  };
  cleanups.push(async () => {
    await app?.kill('SIGTERM');
  });
  await start();

  // The DLQ exists once the connector started (it creates its tier and DLQ topics).
  const dlqRecords: DeadLetterRecord[] = [];
  const dlq = kafka.consumer({ groupId: uniqueName(`${name}-dlq-reader`) });
  await dlq.connect();
  cleanups.push(() => dlq.disconnect());
  await dlq.subscribe({ topic: dlqTopicName(group), fromBeginning: true });
  await dlq.run({
    eachMessage: async ({ message }) => {
      if (message.key)
        dlqRecords.push({
          key: message.key.toString(),
          value: message.value,
          headers: message.headers ?? {},
        });
    },
  });

  const decoder = new AvroEventDecoder({ registry });
  const topicReaders = new Map<string, Promise<DomainEvent[]>>();
  const topicEvents = (topic: EventTopic) => {
    let events = topicReaders.get(topic);
    if (!events) {
      events = (async () => {
        const seen: DomainEvent[] = [];
        const reader = kafka.consumer({ groupId: uniqueName(`${name}-topic-reader`) });
        await reader.connect();
        cleanups.push(() => reader.disconnect());
        await reader.subscribe({ topic: `${topicPrefix}${topic}`, fromBeginning: true });
        await reader.run({
          eachMessage: async ({ message }) => {
            const record = { key: message.key ?? null, value: message.value, headers: message.headers ?? {} };
            // A poison record a test wrote on purpose is not an event: left out, not retried forever.
            const event = await decoder.decode(record).catch(() => undefined);
            if (event) seen.push(event);
          },
        });
        return seen;
      })();
      topicReaders.set(topic, events);
    }
    return events;
  };

  const { inboxTable, outboxTable, externalRefsTable } = namesFor(schema);
  const query = async <R extends Record<string, unknown>>(sql: string, params: readonly unknown[] = []) =>
    (await pool.query<R>(sql, [...params])).rows;
  const simAdmin = async (path: string, init?: RequestInit) => {
    const response = await fetch(`${simUrl}/__admin${path}`, init);
    if (!response.ok) throw new Error(`provider-sim ${path} → ${response.status}: ${await response.text()}`);
    return response;
  };
  const outcome = options.outcome ?? 'outbox';

  return {
    simUrl,
    appUrl,
    databaseUrl: db.url,
    schema,
    consumerGroup: group,
    topicPrefix,
    sim: {
      async setFault(fault) {
        await simAdmin('/faults', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ route: options.effectRoute, ...fault }),
        });
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
        if (!app) throw new Error(`${name} is not running`);
        const { code } = await app.kill(signal);
        return { code };
      },
    },
    async trigger({ eventId, subject, copies = 1 }) {
      const event = buildEvent({ eventId, subject });
      for (let copy = 0; copy < copies; copy++) await producer.publish(event);
    },
    async publish(...events) {
      for (const event of events) await producer.publish(event);
    },
    async publishPoison(key) {
      await raw.send({
        topic: `${topicPrefix}${topic}`,
        messages: [{ key, value: Buffer.from('not an avro record') }],
      });
    },
    async processed(eventId) {
      const rows = await query(`SELECT 1 FROM ${inboxTable} WHERE consumer_group = $1 AND event_id = $2`, [
        group,
        eventId,
      ]);
      return rows.length > 0;
    },
    async inDlq(key) {
      return dlqRecords.some((record) => record.key === key);
    },
    deadLetters: (key) => dlqRecords.filter((record) => record.key === key),
    async replayDeadLetter(key, replay = {}) {
      const record = dlqRecords.filter((r) => r.key === key).at(-1);
      if (!record) throw new Error(`no dead letter with key ${key} in ${dlqTopicName(group)}`);
      const replayTopic = headerText(record.headers, REPLAY_TOPIC_HEADER);
      if (!replayTopic) throw new Error(`dead letter ${key} has no ${REPLAY_TOPIC_HEADER} header`);
      const headers: Record<string, Buffer | string> = {};
      for (const [header, value] of Object.entries(record.headers)) {
        if (typeof value === 'string' || Buffer.isBuffer(value)) headers[header] = value;
      }
      await raw.send({
        topic: replayTopic,
        messages: [
          {
            key,
            value: record.value,
            headers: { ...headers, [DEAD_LETTER_ID_HEADER]: uniqueName('dead-letter'), ...replay.headers },
          },
        ],
      });
    },
    async outcomes(eventId) {
      const rows =
        outcome === 'outbox'
          ? await query<{ n: string }>(
              `SELECT count(*) AS n FROM ${outboxTable} WHERE headers->>'causation-id' = $1`,
              [eventId],
            )
          : await query<{ n: string }>(
              `SELECT count(*) AS n FROM ${externalRefsTable} WHERE external_type = $1 AND internal_id = $2`,
              [outcome.externalRefType, eventId],
            );
      return Number(rows[0]!.n);
    },
    async metrics() {
      return (await fetch(`${appUrl}/metrics`)).text();
    },
    query,
    appOutput: () => runs.map((run) => run.output).join('\n--- restarted ---\n'),
    async startReplica(overrides = {}) {
      const [replicaPort] = (await pickFreePorts(1)) as [number];
      const replicaUrl = `http://127.0.0.1:${replicaPort}`;
      const replica = await startBuiltApp(options.main, {
        env: { ...env, ...overrides, PORT: String(replicaPort) },
        readyUrl: `${replicaUrl}/health/ready`,
        name: `${name}-replica`,
        timeoutMs: options.readyTimeoutMs ?? 60_000,
      });
      cleanups.push(() => replica.kill('SIGTERM'));
      return {
        appUrl: replicaUrl,
        metrics: async () => (await fetch(`${replicaUrl}/metrics`)).text(),
        kill: async (signal) => ({ code: (await replica.kill(signal)).code }),
        output: () => replica.output,
      };
    },
    topicEvents,
    close,
  };
}

/**
 * `apps/provider-sim/src/main.ts` of the repository this module (or the test's working directory) is in,
 * found by walking up: the SDK may run from src, from dist, or from node_modules' workspace link.
 */
export function findProviderSim(starts: readonly string[] = [moduleDir(), process.cwd()]): string {
  for (const start of starts) {
    for (let dir = start; ; dir = dirname(dir)) {
      const candidate = join(dir, 'apps', 'provider-sim', 'src', 'main.ts');
      if (existsSync(candidate)) return candidate;
      if (dirname(dir) === dir) break;
    }
  }
  throw new TributaryError(
    TestingErrorCode.simulatorNotFound,
    `apps/provider-sim/src/main.ts not found above ${starts.join(' or ')}; pass simMain`,
  );
}

function moduleDir(): string {
  return dirname(fileURLToPath(import.meta.url));
}

/** A port the OS just handed out: the app keeps it across restarts, so its URL stays valid. */
