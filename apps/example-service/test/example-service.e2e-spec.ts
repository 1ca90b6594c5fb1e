import { eventCatalogue, subjectFor } from '@tributary/contracts';
import { AvroEventDecoder, SchemaRegistryClient, decodeWireFormat, headerText } from '@tributary/kafka';
import type { DomainEvent } from '@tributary/contracts';
import { stackFromEnv, uniqueName, waitFor } from '@tributary/testkit';
import type { ExampleServiceFixture } from './support.js';
import { exampleService, ledgerCounts, placeOrder } from './support.js';

const ORDERS_TOPIC = 'commerce.order.v1';
const ORDER_PLACED_SUBJECT = subjectFor(ORDERS_TOPIC, eventCatalogue['commerce.order.placed'].recordName);

interface Observed {
  readonly key: string;
  readonly schemaId: number;
  readonly headers: Record<string, string>;
  readonly event: DomainEvent;
}

/** Reads the orders topic as an independent observer and keeps the records of the given event ids. */
async function observeOrders(service: ExampleServiceFixture, wanted: () => ReadonlySet<string>) {
  const stack = stackFromEnv();
  const decoder = new AvroEventDecoder({
    registry: new SchemaRegistryClient({ url: stack.registry.url }),
    readerDefinitions: Object.values(eventCatalogue),
  });
  const seen = new Map<string, Observed[]>();
  const consumer = service.kafka.consumer({ groupId: uniqueName('observer') });
  await consumer.connect();
  await consumer.subscribe({ topic: ORDERS_TOPIC, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const id = headerText(message.headers, 'ce_id');
      if (!id || !wanted().has(id)) return;
      const headers = Object.fromEntries(
        Object.keys(message.headers ?? {}).map((name) => [name, headerText(message.headers, name) ?? '']),
      );
      const observed: Observed = {
        key: message.key!.toString(),
        schemaId: decodeWireFormat(message.value!).schemaId,
        headers,
        event: await decoder.decode(message),
      };
      seen.set(id, [...(seen.get(id) ?? []), observed]);
    },
  });
  return { seen, stop: () => consumer.disconnect() };
}

describe('example-service on the real stack', () => {
  let service: ExampleServiceFixture;
  beforeEach(async () => {
    service = await exampleService();
  });
  afterEach(async () => {
    await service.close();
  });

  it('publishes orders through the outbox; consumers decode the same content and headers; the schema is registered', async () => {
    await service.start();
    const placed: Awaited<ReturnType<typeof placeOrder>>[] = [];
    for (let n = 1; n <= 5; n += 1) placed.push(await placeOrder(service.url, n));
    const ids = new Set(placed.map((p) => p.eventId));
    const observer = await observeOrders(service, () => ids);
    try {
      await waitFor(() => placed.every((p) => observer.seen.has(p.eventId)), {
        timeoutMs: 30_000,
        message: 'all five events on Kafka',
      });
      const registry = stackFromEnv().registry.url;
      const latest = (await (
        await fetch(`${registry}/subjects/${ORDER_PLACED_SUBJECT}/versions/latest`)
      ).json()) as {
        id: number;
      };
      for (const [n, p] of placed.entries()) {
        const [record] = observer.seen.get(p.eventId)!;
        expect(record!.key).toBe(p.orderId);
        expect(record!.schemaId).toBe(latest.id);
        expect(record!.event).toMatchObject({
          id: p.eventId,
          type: 'commerce.order.placed',
          subject: p.orderId,
          correlationId: `test-${n + 1}`,
          data: {
            orderId: p.orderId,
            orderNumber: p.orderNumber,
            customerId: `customer-${n + 1}`,
            currency: 'EUR',
          },
        });
        expect(record!.headers).toMatchObject({
          ce_specversion: '1.0',
          ce_id: p.eventId,
          ce_type: 'commerce.order.placed',
          ce_subject: p.orderId,
          ce_source: '/tributary/example-service',
          'content-type': 'application/avro',
          'correlation-id': `test-${n + 1}`,
        });
        expect(record!.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
        expect(Date.parse(record!.headers.ce_time!)).not.toBeNaN();
      }
      await waitFor(
        async () => {
          const counts = await ledgerCounts(service.pool);
          return placed.every((p) => counts.has(p.eventId));
        },
        { timeoutMs: 30_000, message: 'the ledger consumer applied all five' },
      );
      const counts = await ledgerCounts(service.pool);
      for (const p of placed) expect(counts.get(p.eventId)).toBe(1);
    } finally {
      await observer.stop();
    }
  });

  it('killed with SIGKILL while relaying and consuming, then restarted: every committed order is applied exactly once', async () => {
    let app = await service.start();
    const accepted: string[] = [];
    let n = 0;
    const placeMany = async (count: number) => {
      const batch = Array.from({ length: count }, () => (n += 1));
      const results = await Promise.allSettled(batch.map((i) => placeOrder(service.url, i)));
      for (const result of results) if (result.status === 'fulfilled') accepted.push(result.value.eventId);
    };

    for (let crash = 0; crash < 2; crash += 1) {
      // Requests in flight while the process dies: some commit, some never answer.
      const inFlight = placeMany(120);
      await waitFor(async () => (await ledgerCounts(service.pool)).size > 0 || accepted.length > 20, {
        timeoutMs: 30_000,
        message: 'traffic flowing',
      });
      await app.kill('SIGKILL');
      await inFlight;
      app = await service.start();
    }
    await placeMany(50);

    // Everything committed in `orders` went through the outbox; each must reach the ledger exactly once. The
    // outbox also holds each order's PaymentRequested, which the ledger does not apply.
    const committed = await service.pool.query<{ event_id: string }>(
      `SELECT event_id::text FROM outbox WHERE topic = 'commerce.order.v1'`,
    );
    const committedIds = committed.rows.map((row) => row.event_id);
    expect(committedIds.length).toBeGreaterThanOrEqual(accepted.length);
    // The ledger also holds orders other tests published to the shared topic: look at ours only.
    await waitFor(
      async () => {
        const counts = await ledgerCounts(service.pool);
        return committedIds.every((id) => counts.has(id));
      },
      { timeoutMs: 90_000, message: 'every committed order applied' },
    );
    const counts = await ledgerCounts(service.pool);
    for (const id of committedIds) expect(counts.get(id)).toBe(1);
    for (const id of accepted) expect(counts.get(id)).toBe(1);
    const orders = await service.pool.query<{ n: string }>('SELECT count(*) AS n FROM orders');
    expect(Number(orders.rows[0]!.n)).toBe(committedIds.length);
  }, 300_000);
});
