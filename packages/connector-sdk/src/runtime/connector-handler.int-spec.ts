import { eventCatalogue } from '@tributary/contracts';
import type { EventOf } from '@tributary/contracts';
import { AvroEventEncoder, SchemaRegistryClient } from '@tributary/kafka';
import type { EventHandlerContext } from '@tributary/kafka';
import { createLogger } from '@tributary/observability';
import { Outbox, createDataSource, namesFor } from '@tributary/persistence';
import { createTestDatabase, stackFromEnv } from '@tributary/testkit';
import type { TestDatabase } from '@tributary/testkit';
import type { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { HandlerContext } from '../define-connector.js';
import { ConnectorErrorCode } from '../errors.js';
import { checkEffect } from '../late-replay.js';
import type { ConnectorIdempotency } from '../late-replay.js';
import { connectorHandler } from './run-connector.js';

const SCHEMA = 'sdk_handler';
const GROUP = 'connector-test';
let db: TestDatabase;
let dataSource: DataSource;
let outbox: Outbox;

beforeAll(async () => {
  const stack = stackFromEnv();
  db = await createTestDatabase({ prefix: 'connector_sdk' });
  dataSource = await createDataSource({
    url: db.url,
    schema: SCHEMA,
    createSchema: true,
    migrationsRun: true,
  }).initialize();
  const registry = new SchemaRegistryClient({ url: stack.registry.url });
  outbox = new Outbox({
    encoder: new AvroEventEncoder({ registry, definitions: Object.values(eventCatalogue) }),
  });
});

afterAll(async () => {
  await dataSource?.destroy();
  await db?.drop();
});

type Requested = EventOf<'payments.payment.requested'>;
type Handler = (event: Requested, ctx: HandlerContext<object, object>) => Promise<void>;

function handlerWith(requested: Handler, idempotency?: ConnectorIdempotency) {
  return connectorHandler({
    definition: {
      id: 'test',
      provider: 'sim',
      handlers: { 'payments.payment.requested': requested },
      ...(idempotency ? { idempotency } : {}),
    },
    group: GROUP,
    connectorConfig: {},
    dataSource,
    outbox,
    client: {},
    logger: createLogger({ service: 'connector-sdk-test', level: 'silent' }),
  });
}

const kafkaContext = {
  topic: 'payments.payment.v1',
  partition: 0,
  offset: '0',
  headers: {},
  attempt: 1,
  heartbeat: async () => undefined,
  signal: new AbortController().signal,
} as unknown as EventHandlerContext;

function requested(): Requested {
  const paymentId = uuidv7();
  return {
    id: uuidv7(),
    type: 'payments.payment.requested',
    source: '/test',
    subject: paymentId,
    time: new Date().toISOString(),
    data: {
      paymentId,
      orderId: uuidv7(),
      customerId: uuidv7(),
      amountMinor: 100,
      currency: 'EUR',
      paymentMethod: null,
      description: null,
      requestedAt: Date.now(),
    },
  };
}

const names = namesFor(SCHEMA);
const count = async (sql: string, params: unknown[]) =>
  Number(((await dataSource.query(sql, params)) as { n: string }[])[0]!.n);
const inboxRows = (eventId: string) =>
  count(`SELECT count(*) AS n FROM ${names.inboxTable} WHERE consumer_group = $1 AND event_id = $2`, [
    GROUP,
    eventId,
  ]);
const outcomes = (eventId: string) =>
  count(`SELECT count(*) AS n FROM ${names.outboxTable} WHERE headers->>'causation-id' = $1`, [eventId]);

describe('connectorHandler (real Postgres and schema registry)', () => {
  it('commits the inbox row, outbox event and external ref together, and skips a redelivery before the handler', async () => {
    const keys: string[] = [];
    const handle = handlerWith(async (event, ctx) => {
      keys.push(ctx.idempotencyKey);
      await ctx.commit(async (tx) => {
        await tx.externalRefs.upsert('payment_intent', `pi_${event.id}`, event.data.paymentId);
        await tx.publish(
          ctx.newEvent('payments.payment.failed', event.subject, {
            paymentId: event.data.paymentId,
            orderId: event.data.orderId,
            provider: 'sim',
            failureCode: 'CARD_DECLINED',
            providerFailureCode: null,
            failureMessage: null,
            failedAt: Date.now(),
          }),
        );
      });
    });
    const event = requested();
    await handle(event, kafkaContext);
    await handle(event, kafkaContext);
    expect(keys).toEqual([`tributary:test:${event.id}`]);
    expect(await inboxRows(event.id)).toBe(1);
    expect(await outcomes(event.id)).toBe(1);
    const ref = await count(
      `SELECT count(*) AS n FROM ${names.externalRefsTable} WHERE provider = 'sim' AND external_id = $1 AND internal_id = $2`,
      [`pi_${event.id}`, event.data.paymentId],
    );
    expect(ref).toBe(1);
  });

  it('leaves nothing behind when the handler fails before its commit, so the redelivery calls again with the same key', async () => {
    const keys: string[] = [];
    let fail = true;
    const handle = handlerWith(async (_event, ctx) => {
      keys.push(ctx.idempotencyKey);
      if (fail) throw new Error('crashed after the provider call');
      await ctx.commit(async () => undefined);
    });
    const event = requested();
    await expect(handle(event, kafkaContext)).rejects.toThrow('crashed');
    expect(await inboxRows(event.id)).toBe(0);
    fail = false;
    await handle(event, kafkaContext);
    expect(keys).toHaveLength(2);
    expect(keys[0]).toBe(keys[1]);
    expect(await inboxRows(event.id)).toBe(1);
  });

  it('records a handler that never commits, and refuses a second commit', async () => {
    const quiet = handlerWith(async () => undefined);
    const event = requested();
    await quiet(event, kafkaContext);
    expect(await inboxRows(event.id)).toBe(1);

    const twice = handlerWith(async (_event, ctx) => {
      await ctx.commit(async () => undefined);
      await ctx.commit(async () => undefined);
    });
    await expect(twice(requested(), kafkaContext)).rejects.toThrow(/commit twice/);
  });

  it('skips event types it has no handler for without recording them', async () => {
    const handle = handlerWith(async () => {
      throw new Error('must not run');
    });
    const other = { ...requested(), type: 'payments.payment.succeeded' } as unknown as Requested;
    await handle(other, kafkaContext);
    expect(await inboxRows(other.id)).toBe(0);
  });

  it('reads the age of a replayed dead letter from kafka_original-timestamp and refuses its call without the lookup', async () => {
    const weekAgo = Date.now() - 7 * 86_400_000;
    const replayed = {
      ...kafkaContext,
      headers: { 'kafka_original-timestamp': Buffer.from(String(weekAgo)) },
    } as EventHandlerContext;
    const seen: Array<[number | undefined, boolean]> = [];
    let lookups = 0;
    const idempotency: ConnectorIdempotency = {
      keyLifetimeMs: 86_400_000,
      lateReplay: { 'payments.payment.requested': 'lookup' },
    };
    const careless = handlerWith(async (_event, ctx) => {
      seen.push([ctx.firstAttemptAt, ctx.keyMayHaveExpired]);
      // What a client's effectful call does first (the SDK's ProviderHttpClient): the guard refuses it.
      checkEffect({ method: 'POST', operation: 'things.create' });
      await ctx.commit(async () => undefined);
    }, idempotency);
    const event = requested();
    await careless(event, kafkaContext);
    const late = requested();
    await expect(careless(late, replayed)).rejects.toMatchObject({
      code: ConnectorErrorCode.lookupMissing,
      retriable: false,
    });
    expect(seen).toEqual([
      [Date.parse(event.time), false],
      [weekAgo, true],
    ]);
    expect(await inboxRows(late.id)).toBe(0);

    const careful = handlerWith(async (_event, ctx) => {
      await ctx.lookupBeforeCall(async () => (lookups += 1));
      checkEffect({ method: 'POST', operation: 'things.create' });
      await ctx.commit(async () => undefined);
    }, idempotency);
    await careful(late, replayed);
    expect(lookups).toBe(1);
    expect(await inboxRows(late.id)).toBe(1);
  });
});
