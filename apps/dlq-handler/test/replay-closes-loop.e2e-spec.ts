import { TributaryError, eventCatalogue } from '@tributary/contracts';
import type { DomainEvent } from '@tributary/contracts';
import {
  AvroEventDecoder,
  AvroEventEncoder,
  ReliableConsumer,
  SchemaRegistryClient,
  headerText,
  silentLogger,
} from '@tributary/kafka';
import { createDataSource, withInbox } from '@tributary/persistence';
import { createTopics, stackFromEnv, uniqueName, waitFor } from '@tributary/testkit';
import type { Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { DlqHandlerFixture } from './support.js';
import { dlqHandler, listAll } from './support.js';

const N = 1_000;

function orderPlaced(i: number): DomainEvent {
  const orderId = uuidv7();
  return {
    id: uuidv7(),
    type: 'commerce.order.placed',
    source: '/tributary/dlq-handler-test',
    subject: orderId,
    time: new Date().toISOString(),
    data: {
      orderId,
      customerId: `c-${i}`,
      orderNumber: `TR-${String(i).padStart(6, '0')}`,
      lines: [{ sku: 'A', quantity: 1, unitPriceMinor: 100 + i, productName: null }],
      totalAmountMinor: 100 + i,
      currency: 'EUR',
      channel: null,
      placedAt: Date.now(),
    },
  } as DomainEvent;
}

/**
 * The whole loop with a real consumer group: a handler bug dead-letters 1,000 events; after the fix a bulk
 * replay sends them through the first retry tier at the bounded rate; the group applies each effect once
 * (inbox) and, as the proposed ReliableConsumer hook would, signals `<group>.dlq.resolved`; every row ends
 * resolved. The signal is sent by the test's handler here because packages/kafka does not have the hook yet.
 */
describe('bulk replay of 1,000 dead letters after the fault is fixed', () => {
  let handler: DlqHandlerFixture;
  let producer: Producer;
  let effects: DataSource;

  beforeAll(async () => {
    handler = await dlqHandler({ ratePerSecond: 200, burst: 10 });
    await handler.start();
    producer = handler.kafka.producer();
    await producer.connect();
    effects = await createDataSource({
      url: handler.db.url,
      schema: 'effects',
      migrationsRun: true,
    }).initialize();
    await effects.query(
      `CREATE TABLE effects.applied (event_id text NOT NULL, applied_at timestamptz DEFAULT now())`,
    );
  });
  afterAll(async () => {
    await producer?.disconnect();
    await effects?.destroy();
    await handler?.close();
  });

  it('resolves every one, applies each effect exactly once and respects the rate', async () => {
    const registry = new SchemaRegistryClient({ url: stackFromEnv().registry.url });
    const encoder = new AvroEventEncoder({ registry, definitions: Object.values(eventCatalogue) });
    const source = uniqueName('orders');
    const group = uniqueName('ledger');
    await createTopics(stackFromEnv().kafka.brokers, [
      { topic: source, partitions: 3 },
      { topic: `${group}.dlq.resolved`, partitions: 1 },
    ]);
    const events = Array.from({ length: N }, (_, i) => orderPlaced(i));
    const encoded = await Promise.all(events.map((event) => encoder.encode(event)));
    await producer.send({
      topic: source,
      messages: encoded.map((r) => ({ key: r.key, value: r.value, headers: r.headers })),
    });

    let fixed = false;
    const consumer = new ReliableConsumer({
      kafka: handler.kafka,
      groupId: group,
      topics: [source],
      decoder: new AvroEventDecoder({ registry, readerDefinitions: Object.values(eventCatalogue) }),
      retryTiers: ['1s', '1m'],
      inProcessRetry: { maxRetries: 0 },
      fromBeginning: true,
      partitionsConsumedConcurrently: 3,
      logger: silentLogger,
      handler: async (event, ctx) => {
        if (!fixed) throw new TributaryError('LEDGER_MAPPING_BUG', 'amount sign flipped');
        await withInbox(effects, group, event.id, (manager) =>
          manager.query(`INSERT INTO effects.applied (event_id) VALUES ($1)`, [event.id]),
        );
        const deadLetterId = headerText(ctx.headers, 'tributary-dead-letter-id');
        if (deadLetterId) {
          await producer.send({
            topic: `${group}.dlq.resolved`,
            messages: [
              {
                key: deadLetterId,
                value: JSON.stringify({ deadLetterId, consumerGroup: group, eventId: event.id }),
                headers: {
                  'tributary-dead-letter-id': deadLetterId,
                  'kafka_dlt-original-consumer-group': group,
                  ce_id: event.id,
                },
              },
            ],
          });
        }
      },
    });
    await consumer.start();
    // The bound is on what the handler sends: the first tier's records, by their broker timestamps.
    const replayed: { id: string; at: number }[] = [];
    const observer = handler.kafka.consumer({ groupId: uniqueName('observer') });
    await observer.connect();
    await observer.subscribe({ topic: `${group}.retry.1s`, fromBeginning: true });
    await observer.run({
      eachMessage: async ({ message }) => {
        const id = headerText(message.headers, 'tributary-dead-letter-id');
        if (id) replayed.push({ id, at: Number(message.timestamp) });
      },
    });
    try {
      await waitFor(async () => (await listAll(handler, `group=${group}&status=pending`)).length === N, {
        timeoutMs: 120_000,
        intervalMs: 1_000,
        message: `${N} dead letters stored`,
      });

      fixed = true;
      const response = await handler.api('/v1/dead-letters/replay', {
        body: { filter: { group, errorCode: 'LEDGER_MAPPING_BUG' }, reason: 'sign fix deployed (INC-99)' },
      });
      expect(response.status).toBe(202);
      expect(((await response.json()) as { accepted: number }).accepted).toBe(N);

      await waitFor(async () => (await listAll(handler, `group=${group}&status=resolved`)).length === N, {
        timeoutMs: 120_000,
        intervalMs: 1_000,
        message: `all ${N} resolved`,
      });
      const applied = await effects.query<{ event_id: string; n: string }[]>(
        `SELECT event_id, count(*) AS n FROM effects.applied GROUP BY event_id`,
      );
      expect(applied).toHaveLength(N);
      expect(applied.every((row) => Number(row.n) === 1)).toBe(true);
      expect(new Set(applied.map((row) => row.event_id))).toEqual(new Set(events.map((e) => e.id)));

      await waitFor(() => replayed.length >= N, { timeoutMs: 30_000, message: 'replays observed' });
      expect(replayed).toHaveLength(N);
      expect(new Set(replayed.map((r) => r.id)).size).toBe(N);
      const times = replayed.map((r) => r.at).sort((x, y) => x - y);
      const spanSeconds = (times[times.length - 1]! - times[0]!) / 1000;
      expect(N - handler.burst).toBeLessThanOrEqual(handler.ratePerSecond * spanSeconds * 1.1 + 1);
    } finally {
      await observer.disconnect();
      await consumer.stop();
    }
  }, 300_000);
});
