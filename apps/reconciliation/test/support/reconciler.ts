import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { eventCatalogue } from '@tributary/contracts';
import type { AnyEvent, EventOf, EventType } from '@tributary/contracts';
import {
  AvroEventDecoder,
  AvroEventEncoder,
  KafkaEventProducer,
  SchemaRegistryClient,
  createKafkaClient,
  ensureCatalogueTopics,
} from '@tributary/kafka';
import { hashToken } from '@tributary/service-kit';
import { createServiceApp } from '@tributary/service-kit/nest';
import { createTestDatabase, stackFromEnv, uniqueName, waitFor } from '@tributary/testkit';
import type { TestDatabase } from '@tributary/testkit';
import type { Consumer, Kafka } from 'kafkajs';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { AppModule } from '../../src/app.module.js';
import { loadReconciliationConfig } from '../../src/reconciliation.config.js';
import type { ReconciliationConfig } from '../../src/reconciliation.config.js';

export const TOKEN = 'reconciliation-test-token';

type Requested = EventOf<'reconciliation.read.requested'>;
type OwnerRecord = EventOf<'reconciliation.read.completed'>['data']['records'][number];

/** A shared stack, a private database, topic prefix and group: what one test file reconciles on. */
export interface Environment {
  readonly database: TestDatabase;
  readonly prefix: string;
  readonly env: Record<string, string>;
  readonly kafka: Kafka;
  readonly pool: pg.Pool;
  readonly producer: KafkaEventProducer;
  close(): Promise<void>;
}

export async function environment(name: string, env: Record<string, string> = {}): Promise<Environment> {
  const stack = stackFromEnv();
  const database = await createTestDatabase({ prefix: name });
  const prefix = `${uniqueName(name)}.`;
  const kafka = createKafkaClient({ clientId: `${name}-test`, brokers: stack.kafka.brokers });
  await ensureCatalogueTopics(kafka, { prefix });
  const registry = new SchemaRegistryClient({ url: stack.registry.url });
  const producer = new KafkaEventProducer(kafka, {
    encoder: new AvroEventEncoder({
      registry,
      definitions: Object.values(eventCatalogue).map((d) => ({ ...d, topic: `${prefix}${d.topic}` })),
    }),
  });
  await producer.connect();
  const pool = new pg.Pool({
    connectionString: database.url,
    max: 2,
    options: '-c search_path=reconciliation',
  });
  return {
    database,
    prefix,
    kafka,
    pool,
    producer,
    env: {
      DATABASE_URL: database.url,
      KAFKA_BROKERS: stack.kafka.brokers.join(','),
      SCHEMA_REGISTRY_URL: stack.registry.url,
      KAFKA_TOPIC_PREFIX: prefix,
      CONSUMER_GROUP: uniqueName(`${name}-group`),
      LOG_LEVEL: 'warn',
      RECONCILE_SCHEDULE: 'false',
      RECONCILE_SETTLE: '0ms',
      RECONCILE_DRIVER_INTERVAL: '200ms',
      RECONCILE_PAGE_TIMEOUT: '3s',
      RECONCILE_PAGE_SIZE: '3',
      RECONCILE_PAGE_RETRY_MAX: '200ms',
      RECONCILE_THROTTLED_RETRY_MAX: '200ms',
      API_KEYS: `ops:${hashToken(TOKEN)}:reconciliation:read+reconciliation:run+reconciliation:repair`,
      ...env,
    },
    async close() {
      await producer.disconnect();
      await pool.end();
      await database.drop();
    },
  };
}

export interface Reconciler {
  readonly app: NestFastifyApplication;
  readonly url: string;
  readonly config: ReconciliationConfig;
  api(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: Record<string, unknown> }>;
  close(): Promise<void>;
}

/** The reconciliation app in this process, built as main.ts builds it. */
export async function startReconciler(
  env: Environment,
  overrides: Record<string, string> = {},
): Promise<Reconciler> {
  const config = loadReconciliationConfig({ ...env.env, ...overrides });
  const app = await createServiceApp(AppModule.forRoot(config), config);
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return {
    app,
    url,
    config,
    async api(method, path, body) {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${TOKEN}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    },
    close: () => app.close(),
  };
}

/**
 * What the fake connector does with one page request: answer it, answer that the provider failed
 * (`fail`) or that its rate limit held the read back (`throttle`), or leave it unanswered (`ignore`).
 */
export type PageBehaviour = (request: Requested['data']) => 'answer' | 'fail' | 'throttle' | 'ignore';

/**
 * Plays the owner's connector: reads `reconciliation.read.requested` for one entity off Kafka and answers
 * each page from an in-memory owner, newest first like the providers. Records every request it saw.
 */
const FAILURES: Partial<Record<'answer' | 'fail' | 'throttle', { code: string; message: string }>> = {
  fail: { code: 'PROVIDER_UNAVAILABLE', message: 'simulated 503' },
  throttle: { code: 'PROVIDER_RATE_LIMITED', message: 'simulated budget at its reserve' },
};

export class FakeOwner {
  readonly records = new Map<string, OwnerRecord>();
  readonly requests: Requested['data'][] = [];
  behaviour: PageBehaviour = () => 'answer';
  #consumer: Consumer | undefined;

  constructor(
    private readonly env: Environment,
    private readonly entity: string,
  ) {}

  set(record: OwnerRecord): void {
    this.records.set(record.externalId, record);
  }

  async start(): Promise<void> {
    const stack = stackFromEnv();
    const decoder = new AvroEventDecoder({ registry: new SchemaRegistryClient({ url: stack.registry.url }) });
    this.#consumer = this.env.kafka.consumer({ groupId: uniqueName('fake-owner') });
    await this.#consumer.connect();
    await this.#consumer.subscribe({
      topic: `${this.env.prefix}reconciliation.read.v1`,
      fromBeginning: true,
    });
    await this.#consumer.run({
      eachMessage: async ({ message }) => {
        const event = (await decoder.decode(message)) as AnyEvent;
        if (event.type !== 'reconciliation.read.requested' || event.data.entity !== this.entity) return;
        this.requests.push(event.data);
        const what = this.behaviour(event.data);
        if (what === 'ignore') return;
        await this.env.producer.publish(this.#answer(event.data, what));
      },
    });
  }

  async stop(): Promise<void> {
    await this.#consumer?.disconnect();
  }

  #answer(
    request: Requested['data'],
    what: 'answer' | 'fail' | 'throttle',
  ): EventOf<'reconciliation.read.completed'> {
    const failure = FAILURES[what];
    const fail = failure !== undefined;
    const all = [...this.records.values()]
      .filter((r) => request.mode !== 'IDS' || (request.ids ?? []).includes(r.internalId ?? ''))
      .sort((a, b) => b.externalId.localeCompare(a.externalId));
    const start = request.cursor ? Number(request.cursor) : 0;
    const page = all.slice(start, start + request.pageSize);
    const next = start + request.pageSize < all.length ? String(start + request.pageSize) : null;
    return {
      id: uuidv7(),
      type: 'reconciliation.read.completed',
      source: '/tributary/fake-owner',
      subject: request.runId,
      time: new Date().toISOString(),
      data: {
        runId: request.runId,
        pageNo: request.pageNo,
        provider: request.provider,
        entity: request.entity,
        records: fail ? [] : page,
        nextCursor: fail ? (request.cursor ?? null) : next,
        complete: !fail && next === null,
        failureCode: failure?.code ?? null,
        failureMessage: failure?.message ?? null,
        readStartedAt: Date.now(),
        readCompletedAt: Date.now(),
      },
    };
  }
}

/** A catalogue event as a service would publish it. */
export function domainEvent<T extends EventType>(
  type: T,
  subject: string,
  data: EventOf<T>['data'],
): EventOf<T> {
  return {
    id: uuidv7(),
    type,
    source: '/tributary/test',
    subject,
    time: new Date().toISOString(),
    data,
  } as EventOf<T>;
}

/** Every event of a topic with its ce_source, read from the beginning until `done` says enough. */
export async function readEvents(
  env: Environment,
  topic: string,
  done: (events: AnyEvent[]) => boolean,
): Promise<AnyEvent[]> {
  const stack = stackFromEnv();
  const decoder = new AvroEventDecoder({ registry: new SchemaRegistryClient({ url: stack.registry.url }) });
  const consumer = env.kafka.consumer({ groupId: uniqueName('reader') });
  const events: AnyEvent[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic: `${env.prefix}${topic}`, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      events.push((await decoder.decode(message)) as AnyEvent);
    },
  });
  try {
    await waitFor(`events on ${topic}`, () => done(events), 60_000);
  } finally {
    await consumer.disconnect();
  }
  return events;
}

/** Waits for the run to leave `running`; returns it as the API shows it. */
export async function finishedRun(reconciler: Reconciler, runId: string): Promise<Record<string, unknown>> {
  return waitFor(
    `run ${runId} finished`,
    async () => {
      const run = (await reconciler.api('GET', `/v1/runs/${runId}`)).body;
      return run.status !== 'running' && run;
    },
    90_000,
  );
}
