import { eventCatalogue } from '@tributary/contracts';
import type { EventOf } from '@tributary/contracts';
import { AvroEventDecoder, AvroEventEncoder, SchemaRegistryClient } from '@tributary/kafka';
import type { EventHandlerContext, RawHeaders } from '@tributary/kafka';
import { createLogger, registry as metricsRegistry } from '@tributary/observability';
import { ExternalRefRepository, Outbox, createDataSource, namesFor } from '@tributary/persistence';
import { createTestDatabase, stackFromEnv } from '@tributary/testkit';
import type { TestDatabase } from '@tributary/testkit';
import type { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { ConnectorErrorCode, ProviderError } from '../errors.js';
import { connectorReadHandler, reconciliationGroupOf } from './read-handler.js';
import type { ConnectorReader } from './reader.js';

const SCHEMA = 'sdk_reads';
const GROUP = reconciliationGroupOf('connector-crm');
let db: TestDatabase;
let dataSource: DataSource;
let outbox: Outbox;
let decoder: AvroEventDecoder;

beforeAll(async () => {
  const stack = stackFromEnv();
  db = await createTestDatabase({ prefix: 'connector_sdk_reads' });
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
  decoder = new AvroEventDecoder({ registry });
});

afterAll(async () => {
  await dataSource?.destroy();
  await db?.drop();
});

type Reader = ConnectorReader<{ name: string }, { PROPERTY: string }>;

function handlerWith(contact: Reader) {
  return connectorReadHandler({
    definition: { id: 'crm', provider: 'hubspot', reconcile: { contact } },
    group: GROUP,
    connectorConfig: { PROPERTY: 'consent' },
    dataSource,
    outbox,
    client: { name: 'hubspot client' },
    logger: createLogger({ service: 'connector-sdk-test', level: 'silent' }),
  });
}

const kafkaContext = {
  topic: 'reconciliation.read.v1',
  partition: 0,
  offset: '0',
  headers: {},
  attempt: 1,
  heartbeat: async () => undefined,
  signal: new AbortController().signal,
} as unknown as EventHandlerContext;

type Requested = EventOf<'reconciliation.read.requested'>;

function requested(data: Partial<Requested['data']> = {}): Requested {
  const runId = uuidv7();
  return {
    id: uuidv7(),
    type: 'reconciliation.read.requested',
    source: '/tributary/reconciliation',
    subject: runId,
    time: new Date().toISOString(),
    correlationId: runId,
    data: {
      runId,
      pageNo: 1,
      provider: 'hubspot',
      entity: 'contact',
      mode: 'FULL',
      cursor: null,
      changedFrom: null,
      changedTo: null,
      ids: [],
      pageSize: 100,
      requestedAt: Date.now(),
      ...data,
    },
  };
}

const names = namesFor(SCHEMA);
const inboxRows = async (eventId: string) =>
  Number(
    (
      (await dataSource.query(
        `SELECT count(*) AS n FROM ${names.inboxTable} WHERE consumer_group = $1 AND event_id = $2`,
        [GROUP, eventId],
      )) as { n: string }[]
    )[0]!.n,
  );
/** The answers in the outbox caused by `eventId`, decoded as the reconciler will read them. */
async function answers(eventId: string) {
  const rows = (await dataSource.query(
    `SELECT topic, key, value, headers FROM ${names.outboxTable} WHERE headers->>'causation-id' = $1 ORDER BY id`,
    [eventId],
  )) as { topic: string; key: string; value: Buffer; headers: RawHeaders }[];
  return Promise.all(
    rows.map(async (row) => ({
      key: row.key,
      topic: row.topic,
      event: (await decoder.decode({
        key: Buffer.from(row.key),
        value: row.value,
        headers: row.headers,
      })) as EventOf<'reconciliation.read.completed'>,
    })),
  );
}

const contactPage: Reader = async (request, ctx) => ({
  records: [
    {
      externalId: '101',
      internalId: (await ctx.externalRefs.find('contact', '101'))?.internalId ?? null,
      ownerUpdatedAt: 1_735_689_600_000,
      deleted: false,
      fields: { email: 'ada@example.com', givenName: 'Ada', marketingConsent: ctx.config.PROPERTY },
    },
  ],
  nextCursor: `after-${request.pageNo}`,
  complete: false,
});

const metric = async (name: string, labels: string) =>
  Number(
    (await metricsRegistry.getSingleMetricAsString(name))
      .split('\n')
      .find((line) => line.startsWith(`${name}{${labels}}`))
      ?.split(' ')
      .at(-1) ?? 0,
  );

describe('connectorReadHandler (real Postgres and schema registry)', () => {
  it('answers a request with one reconciliation.read.completed keyed by the run, and a redelivery with nothing', async () => {
    await new ExternalRefRepository(dataSource).upsert({
      provider: 'hubspot',
      externalType: 'contact',
      externalId: '101',
      internalId: 'contact-1',
    });
    const reads: string[] = [];
    const handle = handlerWith(async (request, ctx) => {
      reads.push(request.runId);
      return contactPage(request, ctx);
    });
    const labels = 'provider="hubspot",entity="contact"';
    const okBefore = await metric('tributary_reconciliation_reads_total', `${labels},outcome="ok"`);
    const recordsBefore = await metric('tributary_reconciliation_read_records_total', labels);
    const request = requested({ pageNo: 4, cursor: 'after-3' });

    await handle(request, kafkaContext);
    await handle(request, kafkaContext);

    expect(reads).toEqual([request.data.runId]);
    expect(await inboxRows(request.id)).toBe(1);
    const [answer, ...more] = await answers(request.id);
    expect(more).toEqual([]);
    // The request's topic and key: a run's requests and answers stay in order.
    expect(answer!.topic).toBe('reconciliation.read.v1');
    expect(answer!.key).toBe(request.data.runId);
    expect(answer!.event).toMatchObject({
      type: 'reconciliation.read.completed',
      subject: request.data.runId,
      causationId: request.id,
      correlationId: request.data.runId,
      data: {
        runId: request.data.runId,
        pageNo: 4,
        provider: 'hubspot',
        entity: 'contact',
        records: [
          {
            externalId: '101',
            internalId: 'contact-1',
            ownerUpdatedAt: 1_735_689_600_000,
            deleted: false,
            fields: {
              email: 'ada@example.com',
              givenName: 'Ada',
              familyName: null,
              phone: null,
              marketingConsent: 'consent',
            },
          },
        ],
        nextCursor: 'after-4',
        complete: false,
        failureCode: null,
        failureMessage: null,
      },
    });
    const { readStartedAt, readCompletedAt } = answer!.event.data;
    expect(readStartedAt).toBeLessThanOrEqual(readCompletedAt);
    expect(await metric('tributary_reconciliation_reads_total', `${labels},outcome="ok"`)).toBe(okBefore + 1);
    expect(await metric('tributary_reconciliation_read_records_total', labels)).toBe(recordsBefore + 1);
  });

  it('answers a page the provider refused as a failed page, committed like any answer', async () => {
    const handle = handlerWith(async () => {
      throw new ProviderError(ConnectorErrorCode.providerRateLimited, 'hubspot asked to wait 10000 ms', {
        provider: 'hubspot',
        operation: 'contacts.search',
        retriable: true,
        retryAfterMs: 10_000,
      });
    });
    const request = requested({ pageNo: 2, cursor: 'after-1' });
    await handle(request, kafkaContext);
    expect(await inboxRows(request.id)).toBe(1);
    const [answer, ...more] = await answers(request.id);
    expect(more).toEqual([]);
    expect(answer!.event.data).toMatchObject({
      records: [],
      nextCursor: 'after-1',
      complete: false,
      failureCode: 'PROVIDER_RATE_LIMITED',
      failureMessage: 'hubspot asked to wait 10000 ms',
    });
  });

  it("skips, without recording, other providers' and entities' requests and the answers on the topic", async () => {
    const handle = handlerWith(async () => {
      throw new Error('must not read');
    });
    const others = [
      requested({ provider: 'salesforce' }),
      requested({ entity: 'payment', provider: 'stripe' }),
      requested({ entity: 'shipment' }),
      requested({ entity: 'order' }),
    ];
    const answer = { ...requested(), type: 'reconciliation.read.completed' } as unknown as Requested;
    for (const event of [...others, answer]) {
      await handle(event, kafkaContext);
      expect(await inboxRows(event.id)).toBe(0);
      expect(await answers(event.id)).toEqual([]);
    }
  });

  it('leaves no inbox row when the read is aborted by shutdown, so the request is answered after the restart', async () => {
    const controller = new AbortController();
    const handle = handlerWith(async () => {
      controller.abort(new Error('shutting down'));
      throw new Error('aborted');
    });
    const request = requested();
    await expect(handle(request, { ...kafkaContext, signal: controller.signal })).rejects.toThrow('aborted');
    expect(await inboxRows(request.id)).toBe(0);
    expect(await answers(request.id)).toEqual([]);
  });
});
