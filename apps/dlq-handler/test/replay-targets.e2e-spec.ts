import { TributaryError, eventCatalogue } from '@tributary/contracts';
import type { DomainEvent } from '@tributary/contracts';
import {
  AvroEventDecoder,
  AvroEventEncoder,
  ReliableConsumer,
  SchemaRegistryClient,
  forwardingHeaders,
  silentLogger,
} from '@tributary/kafka';
import { createTopics, stackFromEnv, uniqueName, waitFor } from '@tributary/testkit';
import type { Admin, Producer } from 'kafkajs';
import { v7 as uuidv7 } from 'uuid';
import type { DlqHandlerFixture, Summary } from './support.js';
import { dlqHandler, listAll } from './support.js';

interface Detail extends Summary {
  replayTopic: string | null;
  replayedAt: string | null;
  replayStalledAt: string | null;
  statusReason: string | null;
}

const STALL_AFTER_MS = 3_000;

function orderPlaced(): DomainEvent {
  const orderId = uuidv7();
  return {
    id: uuidv7(),
    type: 'commerce.order.placed',
    source: '/tributary/dlq-handler-test',
    subject: orderId,
    time: new Date().toISOString(),
    data: {
      orderId,
      customerId: 'c-1',
      orderNumber: 'TR-000002',
      lines: [{ sku: 'A', quantity: 1, unitPriceMinor: 100, productName: null }],
      totalAmountMinor: 100,
      currency: 'EUR',
      channel: null,
      placedAt: Date.now(),
    },
  } as DomainEvent;
}

/**
 * The built app on the real stack, with a short stall bound: a replay goes to the exact tier its dead letter
 * names or nowhere, and a replay that never comes back is flagged, counted and replayed again.
 */
describe('dlq-handler replay targets and stalled replays', () => {
  let handler: DlqHandlerFixture;
  let producer: Producer;
  let admin: Admin;
  const brokers = () => stackFromEnv().kafka.brokers;

  beforeAll(async () => {
    handler = await dlqHandler({ env: { REPLAY_STALL_AFTER_MS: String(STALL_AFTER_MS) } });
    await handler.start();
    producer = handler.kafka.producer();
    await producer.connect();
    admin = handler.kafka.admin();
    await admin.connect();
  });
  afterAll(async () => {
    await producer?.disconnect();
    await admin?.disconnect();
    await handler?.close();
  });

  const detail = async (id: string) => (await (await handler.api(`/v1/dead-letters/${id}`)).json()) as Detail;
  const recordsIn = async (topic: string) =>
    (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
  /** A DeleteTopics request, as `kafka-topics.sh --delete` sends it. */
  const deleteTopic = async (topic: string) => {
    await admin.deleteTopics({ topics: [topic] });
    await waitFor(async () => !(await admin.listTopics()).includes(topic), {
      message: `${topic} deleted`,
    });
  };
  const metrics = async () => (await fetch(`${handler.url}/metrics`)).text();

  it("never sends a replay to another tier when the dead letter's tier was deleted", async () => {
    const registry = new SchemaRegistryClient({ url: stackFromEnv().registry.url });
    const definitions = Object.values(eventCatalogue);
    const source = uniqueName('targets-src');
    const group = uniqueName('targets');
    await createTopics(brokers(), [{ topic: source, partitions: 1 }]);
    const event = orderPlaced();
    const encoded = await new AvroEventEncoder({ registry, definitions }).encode(event);
    await producer.send({
      topic: source,
      messages: [{ key: encoded.key, value: encoded.value, headers: encoded.headers }],
    });

    let fixed = false;
    const handled: string[] = [];
    const consumerOf = () =>
      new ReliableConsumer({
        kafka: handler.kafka,
        groupId: group,
        topics: [source],
        decoder: new AvroEventDecoder({ registry, readerDefinitions: definitions }),
        retryTiers: ['1s', '1m'],
        inProcessRetry: { maxRetries: 0 },
        fromBeginning: true,
        logger: silentLogger,
        handler: async (received) => {
          if (!fixed) throw new TributaryError('LEDGER_MAPPING_BUG', 'amount sign flipped');
          handled.push(received.id);
        },
      });
    const broken = consumerOf();
    await broken.start();
    let stored: Summary;
    try {
      [stored] = (await waitFor(
        async () => {
          const items = await listAll(handler, `group=${group}`);
          return items.length === 1 ? items : undefined;
        },
        { timeoutMs: 60_000, message: 'the dead letter through the API' },
      )) as [Summary];
    } finally {
      await broken.stop();
    }
    // The consumer said where its replays go.
    expect((await detail(stored.id)).replayTopic).toBe(`${group}.retry.1s`);

    await deleteTopic(`${group}.retry.1s`);
    const refused = await handler.api(`/v1/dead-letters/${stored.id}/replay`, {
      body: { reason: 'mapping fixed' },
    });
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({
      code: 'REPLAY_TARGET_MISSING',
      detail: expect.stringContaining(`${group}.retry.1s`),
    });
    const bulk = await handler.api('/v1/dead-letters/replay', {
      body: { filter: { group }, reason: 'mapping fixed' },
    });
    expect(bulk.status).toBe(409);
    expect(await recordsIn(`${group}.retry.1m`)).toBe(0);
    expect(await detail(stored.id)).toMatchObject({ status: 'pending', replayCount: 0 });

    // The fixed consumer starts and recreates its tier; the replay goes there and closes the loop.
    fixed = true;
    const consumer = consumerOf();
    await consumer.start();
    try {
      const accepted = await handler.api(`/v1/dead-letters/${stored.id}/replay`, {
        body: { reason: 'mapping fixed' },
      });
      expect(accepted.status).toBe(202);
      await waitFor(async () => (await detail(stored.id)).status === 'resolved', {
        timeoutMs: 60_000,
        message: 'the replayed dead letter resolved',
      });
      expect(handled).toEqual([event.id]);
      expect(await recordsIn(`${group}.retry.1s`)).toBe(1);
      expect(await recordsIn(`${group}.retry.1m`)).toBe(0);
      expect(await detail(stored.id)).toMatchObject({ replayCount: 1, deadLetteredCount: 1 });
    } finally {
      await consumer.stop();
    }
  });

  it('flags a replay lost with its deleted tier after the bound, counts it, and replays it again', async () => {
    const group = uniqueName('stalled');
    const tier = `${group}.retry.1s`;
    await createTopics(brokers(), [
      { topic: tier, partitions: 1 },
      { topic: `${group}.dlq`, partitions: 1 },
      { topic: `${group}.dlq.resolved`, partitions: 1 },
    ]);
    await producer.send({
      topic: `${group}.dlq`,
      messages: [
        {
          key: 'order-1',
          value: JSON.stringify({ orderId: 'o-1' }),
          headers: forwardingHeaders({
            headers: { ce_id: uuidv7(), ce_type: 'commerce.order.placed' },
            topic: 'commerce.order.v1',
            partition: 0,
            offset: '7',
            timestamp: String(Date.now()),
            groupId: group,
            error: new TributaryError('PROVIDER_REJECTED', 'provider said no'),
            code: 'PROVIDER_REJECTED',
            attempt: 3,
            replayTopic: tier,
          }),
        },
      ],
    });
    const [stored] = (await waitFor(
      async () => {
        const items = await listAll(handler, `group=${group}`);
        return items.length === 1 ? items : undefined;
      },
      { timeoutMs: 60_000, message: 'the dead letter through the API' },
    )) as [Summary];

    const first = await handler.api('/v1/dead-letters/replay', {
      body: { ids: [stored.id], reason: 'provider fixed' },
    });
    expect(first.status).toBe(202);
    await waitFor(async () => (await detail(stored.id)).replayedAt !== null, {
      message: 'the replay sent',
    });
    expect(await recordsIn(tier)).toBe(1);
    // The record goes with its tier before any consumer read it; the tier comes back empty.
    await deleteTopic(tier);
    await createTopics(brokers(), [{ topic: tier, partitions: 1 }]);

    const stalled = await waitFor(
      async () => {
        const current = await detail(stored.id);
        return current.status === 'replay_stalled' ? current : undefined;
      },
      { timeoutMs: STALL_AFTER_MS + 15_000, message: 'the replay flagged stalled' },
    );
    expect(Date.parse(stalled.replayStalledAt!) - Date.parse(stalled.replayedAt!)).toBeGreaterThanOrEqual(
      STALL_AFTER_MS,
    );
    expect(stalled.statusReason).toContain('no outcome within 3 s');
    expect((await listAll(handler, `group=${group}&status=replay_stalled`)).map((s) => s.id)).toEqual([
      stored.id,
    ]);
    await waitFor(
      async () => {
        const text = await metrics();
        return (
          text.includes(`tributary_dlq_replays_total{consumer_group="${group}",outcome="stalled"} 1`) &&
          text.includes(
            `tributary_dlq_messages{consumer_group="${group}",status="replay_stalled",code="PROVIDER_REJECTED"} 1`,
          )
        );
      },
      { timeoutMs: 10_000, message: 'the stalled replay counted and in the gauge' },
    );

    // Replayed again from the API: once more into the same tier, waiting for its outcome anew.
    const again = await handler.api(`/v1/dead-letters/${stored.id}/replay`, {
      body: { reason: 'lost with the deleted tier' },
    });
    expect(again.status).toBe(202);
    await waitFor(async () => (await recordsIn(tier)) === 1, { message: 'the second replay in the tier' });
    await waitFor(async () => (await detail(stored.id)).replayCount === 2, { message: 'replay count 2' });
    expect(await detail(stored.id)).toMatchObject({ status: 'replaying', replayStalledAt: null });

    await producer.send({
      topic: `${group}.dlq.resolved`,
      messages: [
        {
          key: stored.id,
          value: JSON.stringify({ deadLetterId: stored.id, consumerGroup: group }),
          headers: { 'tributary-dead-letter-id': stored.id, 'kafka_dlt-original-consumer-group': group },
        },
      ],
    });
    await waitFor(async () => (await detail(stored.id)).status === 'resolved', {
      timeoutMs: 30_000,
      message: 'resolved after the second replay',
    });
    expect(await recordsIn(tier)).toBe(1);
    const audit = await handler.pool.query<{ reason: string }>(
      `SELECT reason FROM audit_log WHERE action = 'dlq.replay' AND target = $1 ORDER BY id`,
      [`dead-letter:${stored.id}`],
    );
    expect(audit.rows.map((r) => r.reason)).toEqual(['provider fixed', 'lost with the deleted tier']);
  });
});
