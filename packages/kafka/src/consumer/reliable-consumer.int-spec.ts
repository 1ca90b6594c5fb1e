import { TributaryError } from '@tributary/contracts';
import type { DomainEvent } from '@tributary/contracts';
import { metrics } from '@tributary/observability';
import { Partitioners } from 'kafkajs';
import type { Kafka } from 'kafkajs';
import {
  captureLogger,
  collect,
  type CollectedMessage,
  orderPlaced,
  orderPlacedDefinition,
  stackEnv,
  testKafka,
  text,
  uniqueName,
  waitFor,
} from '../../test/support.js';
import { ensureTopics } from '../kafka-client.js';
import { retryTopicSpecs } from './retry-topics.js';
import { KafkaEventProducer } from '../producer.js';
import { AvroEventDecoder } from '../serde/avro-event-decoder.js';
import { AvroEventEncoder } from '../serde/avro-event-encoder.js';
import { SchemaRegistryClient } from '../serde/schema-registry-client.js';
import { encodeWireFormat } from '../serde/wire-format.js';
import { ReliableConsumer } from './reliable-consumer.js';
import type { EventHandler, EventHandlerContext, ReliableConsumerOptions } from './reliable-consumer.js';

const { registryUrl } = stackEnv();

interface Call {
  event: DomainEvent;
  topic: string;
  offset: string;
  attempt: number;
  at: number;
  dueAt: number | undefined;
}

interface Fixture {
  kafka: Kafka;
  topic: string;
  groupId: string;
  producer: KafkaEventProducer;
  consumer: ReliableConsumer;
  calls: Call[];
  log: ReturnType<typeof captureLogger>;
  committed(topic: string, partition?: number): Promise<string | undefined>;
}

const open: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  for (const resource of open.splice(0).reverse()) await resource.stop().catch(() => {});
});

/** A source topic, a registry-backed encoder and decoder, and a started consumer whose handler calls are recorded. */
async function start(
  handler: (event: DomainEvent, context: EventHandlerContext, calls: readonly Call[]) => Promise<void>,
  options: Partial<ReliableConsumerOptions> = {},
  /**
   * Runs before the consumer starts, e.g. to create the group's topics where the consumer may not, or to
   * publish records its first fetch should find.
   */
  prepare?: (kafka: Kafka, groupId: string, producer: KafkaEventProducer) => Promise<void>,
): Promise<Fixture> {
  const log = captureLogger();
  const kafka = testKafka(log.logger);
  const topic = uniqueName('kafka-int.order.v1');
  const groupId = uniqueName('kafka-int-group');
  await ensureTopics(kafka, [{ topic, numPartitions: 2 }]);
  const registry = new SchemaRegistryClient({ url: registryUrl });
  const definition = orderPlacedDefinition(topic);
  const producer = new KafkaEventProducer(kafka, {
    encoder: new AvroEventEncoder({ registry, definitions: [definition] }),
  });
  open.push({ stop: () => producer.disconnect() });
  const calls: Call[] = [];
  const recording: EventHandler = async (event, context) => {
    const raw = context.headers['retry_topic-backoff-timestamp'];
    calls.push({
      event,
      topic: context.topic,
      offset: context.offset,
      attempt: context.attempt,
      at: Date.now(),
      dueAt: raw === undefined ? undefined : Number(String(raw)),
    });
    await handler(event, context, calls);
  };
  const consumer = new ReliableConsumer({
    kafka,
    groupId,
    topics: [topic],
    decoder: new AvroEventDecoder({ registry, readerDefinitions: [definition] }),
    handler: recording,
    retryTiers: ['1s', '2s'],
    inProcessRetry: { maxRetries: 1, initialDelayMs: 10, maxDelayMs: 20, budgetMs: 500 },
    fromBeginning: true,
    logger: log.logger,
    ...options,
  });
  await prepare?.(kafka, groupId, producer);
  await consumer.start();
  open.push(consumer);
  const admin = kafka.admin();
  await admin.connect();
  open.push({ stop: () => admin.disconnect() });
  const committed = async (t: string, partition?: number) => {
    const [entry] = await admin.fetchOffsets({ groupId, topics: [t] });
    const offsets =
      entry?.partitions.filter((p) => partition === undefined || p.partition === partition) ?? [];
    const total = offsets.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
    return offsets.every((p) => p.offset === '-1') ? undefined : String(total);
  };
  return { kafka, topic, groupId, producer, consumer, calls, log, committed };
}

/** `perKey` records for each of `keys` keys (`key-<n>`), round robin; `amountMinor` numbers a key's records 1, 2, … */
async function publishPerKey(producer: KafkaEventProducer, keys: number, perKey: number): Promise<void> {
  for (let seq = 1; seq <= perKey; seq += 1) {
    for (let k = 0; k < keys; k += 1) {
      const key = `key-${k}`;
      await producer.publish(orderPlaced(key, { data: { orderId: key, amountMinor: seq, note: null } }));
    }
  }
}

async function readAll(kafka: Kafka, topic: string, count: number): Promise<CollectedMessage[]> {
  const reader = await collect(kafka, topic);
  try {
    return await waitFor(
      `${count} record(s) on ${topic}`,
      () => reader.messages.length >= count && reader.messages,
    );
  } finally {
    await reader.stop();
  }
}

async function endOffset(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, p) => sum + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}

async function counter(
  metric: { get(): Promise<{ values: { labels: object; value: number }[] }> },
  labels: object,
) {
  const { values } = await metric.get();
  return values
    .filter((v) =>
      Object.entries(labels).every(([k, want]) => (v.labels as Record<string, unknown>)[k] === want),
    )
    .reduce((sum, v) => sum + v.value, 0);
}

describe('ReliableConsumer against the real Kafka and registry', () => {
  it('passes a retriable failure through the retry tiers, each read only when due, then succeeds', async () => {
    const f = await start(async (_event, context) => {
      if (context.attempt < 3) {
        throw new TributaryError('PROVIDER_UNAVAILABLE', `provider down at attempt ${context.attempt}`, {
          retriable: true,
        });
      }
    });
    await f.producer.publish(orderPlaced('order-tiers'));

    await waitFor('success on the second tier', () => f.calls.some((c) => c.attempt === 3));
    // Each delivery gets one in-process retry before moving on.
    expect(f.calls.map((c) => [c.topic, c.attempt])).toEqual([
      [f.topic, 1],
      [f.topic, 1],
      [`${f.groupId}.retry.1s`, 2],
      [`${f.groupId}.retry.1s`, 2],
      [`${f.groupId}.retry.2s`, 3],
    ]);
    for (const call of f.calls.filter((c) => c.attempt > 1)) {
      expect(call.dueAt).toBeDefined();
      expect(call.at).toBeGreaterThanOrEqual(call.dueAt!);
    }
    expect(new Set(f.calls.map((c) => c.event.id)).size).toBe(1);

    await waitFor('offsets committed on source and tiers', async () => {
      const [source, tier1, tier2] = await Promise.all([
        f.committed(f.topic),
        f.committed(`${f.groupId}.retry.1s`),
        f.committed(`${f.groupId}.retry.2s`),
      ]);
      return source === '1' && tier1 === '1' && tier2 === '1';
    });
    expect(await endOffset(f.kafka, `${f.groupId}.dlq`)).toBe(0);
    expect(await counter(metrics.retries, { consumer_group: f.groupId, tier: `${f.groupId}.retry.1s` })).toBe(
      1,
    );
    expect(await counter(metrics.retries, { consumer_group: f.groupId, tier: 'in_process' })).toBe(2);
    expect(await counter(metrics.messagesConsumed, { consumer_group: f.groupId, outcome: 'processed' })).toBe(
      1,
    );
  });

  it('reports a record replayed from the DLQ as resolved once its handler succeeded', async () => {
    const f = await start(async () => {});
    const deadLetterId = '0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b';
    const replayed = await f.producer.publish(orderPlaced('order-replayed'));
    const fresh = await f.producer.publish(orderPlaced('order-fresh'));
    // The dlq-handler replays into the first tier with the dead-letter id; due now.
    await f.producer.sendMessages([
      {
        topic: `${f.groupId}.retry.1s`,
        message: {
          key: replayed.key,
          value: replayed.value,
          headers: {
            ...replayed.headers,
            'tributary-dead-letter-id': deadLetterId,
            'retry_topic-backoff-timestamp': String(Date.now()),
          },
        },
      },
    ]);
    const [signal] = await readAll(f.kafka, `${f.groupId}.dlq.resolved`, 1);
    expect(signal!.key!.toString()).toBe(deadLetterId);
    expect(text(signal!, 'tributary-dead-letter-id')).toBe(deadLetterId);
    expect(text(signal!, 'kafka_dlt-original-consumer-group')).toBe(f.groupId);
    expect(text(signal!, 'ce_id')).toBe(replayed.eventId);
    expect(JSON.parse(signal!.value!.toString())).toEqual({
      deadLetterId,
      consumerGroup: f.groupId,
      eventId: replayed.eventId,
    });
    // Only the replayed record is reported: the ordinary deliveries of both events send no signal.
    await waitFor('all three deliveries handled', () => f.calls.length >= 3);
    expect(f.calls.map((c) => c.event.id).sort()).toEqual(
      [replayed.eventId, replayed.eventId, fresh.eventId].sort(),
    );
    expect(await endOffset(f.kafka, `${f.groupId}.dlq.resolved`)).toBe(1);
  });

  it('dead-letters a non-retriable failure at once with the documented headers, and moves on', async () => {
    const f = await start(async (event) => {
      if ((event.data as { note: string | null }).note === 'poison') {
        throw new TributaryError('ORDER_INVALID', 'amount must be positive', { retriable: false });
      }
    });
    const poison = await f.producer.publish(
      orderPlaced('order-dlq', { data: { orderId: 'order-dlq', amountMinor: -1, note: 'poison' } }),
    );
    const good = orderPlaced('order-dlq');
    await f.producer.publish(good);

    await waitFor('the next record on the partition', () => f.calls.some((c) => c.event.id === good.id));
    expect(f.calls.filter((c) => c.event.id === poison.eventId)).toHaveLength(1);

    const [original] = await readAll(f.kafka, f.topic, 1);
    const [dead] = await readAll(f.kafka, `${f.groupId}.dlq`, 1);
    expect(dead!.value).toEqual(poison.value);
    expect(dead!.key?.toString()).toBe('order-dlq');
    expect(text(dead!, 'kafka_original-topic')).toBe(f.topic);
    expect(text(dead!, 'kafka_original-partition')).toBe(String(original!.partition));
    expect(text(dead!, 'kafka_original-offset')).toBe(original!.offset);
    expect(text(dead!, 'kafka_original-timestamp')).toBe(original!.timestamp);
    expect(text(dead!, 'kafka_dlt-original-consumer-group')).toBe(f.groupId);
    expect(text(dead!, 'kafka_exception-fqcn')).toBe('TributaryError');
    expect(text(dead!, 'kafka_exception-message')).toBe('amount must be positive');
    expect(text(dead!, 'kafka_exception-stacktrace')).toContain('TributaryError: amount must be positive');
    expect(text(dead!, 'retry_topic-attempts')).toBe('2');
    expect(text(dead!, 'retry_topic-backoff-timestamp')).toBeUndefined();
    expect(text(dead!, 'tributary-error-code')).toBe('ORDER_INVALID');
    // Where a replay of it goes, said by the consumer that owns the tiers.
    expect(text(dead!, 'tributary-replay-topic')).toBe(`${f.groupId}.retry.1s`);
    for (const name of [
      'ce_id',
      'ce_type',
      'ce_source',
      'ce_time',
      'ce_subject',
      'traceparent',
      'correlation-id',
    ]) {
      expect(text(dead!, name)).toBe(poison.headers[name]);
    }
    await waitFor('both offsets committed', async () => (await f.committed(f.topic)) === '2');
    expect(await counter(metrics.deadLetters, { consumer_group: f.groupId, code: 'ORDER_INVALID' })).toBe(1);
  });

  it('dead-letters a retriable failure once the tiers are spent, keeping the first origin and the last error', async () => {
    const f = await start(async (_event, context) => {
      throw new TributaryError('PROVIDER_UNAVAILABLE', `still down at attempt ${context.attempt}`, {
        retriable: true,
      });
    });
    const record = await f.producer.publish(orderPlaced('order-exhausted'));

    const [dead] = await readAll(f.kafka, `${f.groupId}.dlq`, 1);
    const [original] = await readAll(f.kafka, f.topic, 1);
    expect(dead!.value).toEqual(record.value);
    expect(text(dead!, 'kafka_original-topic')).toBe(f.topic);
    expect(text(dead!, 'kafka_original-offset')).toBe(original!.offset);
    expect(text(dead!, 'kafka_original-timestamp')).toBe(original!.timestamp);
    expect(text(dead!, 'kafka_exception-message')).toBe('still down at attempt 3');
    expect(text(dead!, 'retry_topic-attempts')).toBe('4');
    expect(text(dead!, 'tributary-error-code')).toBe('PROVIDER_UNAVAILABLE');
    expect(f.calls.map((c) => c.attempt)).toEqual([1, 1, 2, 2, 3, 3]);
  });

  it('sends undecodable records to the DLQ with their raw bytes and keeps the partition moving', async () => {
    const f = await start(async () => {});
    const raw = f.kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: false,
    });
    await raw.connect();
    open.push({ stop: () => raw.disconnect() });
    const ceHeaders = {
      ce_specversion: '1.0',
      ce_id: 'raw-1',
      ce_source: '/raw',
      ce_type: 'test.order.placed',
      ce_time: new Date().toISOString(),
    };
    const badMagic = Buffer.from([0xde, 0xad, 0xbe, 0xef]);
    const unknownSchema = encodeWireFormat(2_000_000_000, Buffer.from([2, 0x41]));
    const good = orderPlaced('order-raw');
    const encoded = await f.producer.publish(good);
    const corrupt = Buffer.concat([encoded.value.subarray(0, 5), Buffer.from([0x02])]);
    await raw.send({
      topic: f.topic,
      messages: [
        {
          key: 'order-raw',
          value: badMagic,
          headers: { ...ceHeaders, 'x-binary': Buffer.from([0xff, 0x00, 0xfe]) },
        },
        { key: 'order-raw', value: unknownSchema, headers: ceHeaders },
        { key: 'order-raw', value: corrupt, headers: ceHeaders },
        { key: 'order-raw', value: encoded.value, headers: {} },
      ],
    });
    const after = orderPlaced('order-raw');
    await f.producer.publish(after);

    await waitFor('the good record after the bad ones', () => f.calls.some((c) => c.event.id === after.id));
    const dead = await readAll(f.kafka, `${f.groupId}.dlq`, 4);
    expect(dead.map((m) => text(m, 'tributary-error-code'))).toEqual([
      'DECODE_BAD_MAGIC_BYTE',
      'DECODE_UNKNOWN_SCHEMA',
      'DECODE_CORRUPT_AVRO',
      'DECODE_MISSING_HEADERS',
    ]);
    expect(dead[0]!.value).toEqual(badMagic);
    expect(dead[0]!.key).toEqual(Buffer.from('order-raw'));
    expect(dead[0]!.headers!['x-binary']).toEqual(Buffer.from([0xff, 0x00, 0xfe]));
    expect(dead[1]!.value).toEqual(unknownSchema);
    expect(dead[2]!.value).toEqual(corrupt);
    expect(f.calls.map((c) => c.event.id)).toEqual([good.id, after.id]);
    expect(
      await counter(metrics.messagesConsumed, { consumer_group: f.groupId, outcome: 'undecodable' }),
    ).toBe(4);
  });

  it('pauses a rate-limited partition for the requested time instead of retrying hot', async () => {
    const f = await start(
      async (_event, _context, calls) => {
        if (calls.length === 1) {
          throw new TributaryError('PROVIDER_RATE_LIMITED', 'slow down', {
            retriable: true,
            retryAfterMs: 700,
          });
        }
      },
      { rateLimitPause: { minMs: 100, maxMs: 5_000 } },
    );
    await f.producer.publish(orderPlaced('order-429'));

    await waitFor('the retry after the pause', () => f.calls.length === 2);
    expect(f.calls[1]!.at - f.calls[0]!.at).toBeGreaterThanOrEqual(700);
    expect(f.calls[1]!.topic).toBe(f.topic);
    expect(
      await counter(metrics.partitionPauses, { consumer_group: f.groupId, reason: 'rate_limited' }),
    ).toBe(1);
    await waitFor('offset committed', async () => (await f.committed(f.topic)) === '1');
    expect(await endOffset(f.kafka, `${f.groupId}.retry.1s`)).toBe(0);
  });

  it('holds a partition paused for backpressure until resumed', async () => {
    const f = await start(async () => {});
    const kafkaConsumer = f.consumer.kafkaConsumer!;
    let fetches = 0;
    kafkaConsumer.on(kafkaConsumer.events.FETCH, () => {
      fetches += 1;
    });
    await f.producer.publish(orderPlaced('order-bp'));
    await waitFor('the first record', () => f.calls.length === 1);

    f.consumer.pause(f.topic, [0, 1]);
    await f.producer.publish(orderPlaced('order-bp'));
    // The consumer keeps fetching its tier partitions; several full rounds after the record was acknowledged
    // would have delivered it, had the partition not been held.
    const seen = fetches;
    await waitFor('three more fetch rounds', () => fetches >= seen + 3);
    expect(f.calls).toHaveLength(1);
    expect(
      await counter(metrics.partitionPauses, { consumer_group: f.groupId, reason: 'backpressure' }),
    ).toBe(2);

    f.consumer.resume(f.topic, [0, 1]);
    await waitFor('the second record after resume', () => f.calls.length === 2);
  });

  it('handles other keys of a partition side by side, one key in order, and commits no further than an unfinished record', async () => {
    const KEYS = 8;
    const PER_KEY = 5;
    const slowKey = 'key-0';
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const spans: Array<{
      key: string;
      seq: number;
      partition: number;
      offset: string;
      start: number;
      end?: number;
    }> = [];
    let running = 0;
    let mostAtOnce = 0;
    const f = await start(
      async (event, context) => {
        const data = event.data as { orderId: string; amountMinor: number };
        const span = {
          key: data.orderId,
          seq: data.amountMinor,
          partition: context.partition,
          offset: context.offset,
          start: performance.now(),
        } as (typeof spans)[number];
        spans.push(span);
        running += 1;
        mostAtOnce = Math.max(mostAtOnce, running);
        try {
          if (data.orderId === slowKey && data.amountMinor === 1) await released;
          else await new Promise((resolve) => setTimeout(resolve, 5 + ((data.amountMinor * 7) % 11)));
        } finally {
          running -= 1;
          span.end = performance.now();
        }
      },
      // Both partitions at once, so the other partition's keys never wait for the batch holding key-0.
      { keyConcurrency: 4, partitionsConsumedConcurrently: 2 },
      // Published before the consumer starts: each partition's first batch holds all of its records.
      (_kafka, _group, producer) => publishPerKey(producer, KEYS, PER_KEY),
    );
    const others = (KEYS - 1) * PER_KEY;
    await waitFor(
      'every other key handled while key-0 waits',
      () => spans.filter((s) => s.key !== slowKey && s.end !== undefined).length === others,
    );
    // Later records of the slow key wait behind it; nothing was committed past it.
    expect(spans.filter((s) => s.key === slowKey).map((s) => s.seq)).toEqual([1]);
    const head = spans.find((s) => s.key === slowKey)!;
    expect(Number((await f.committed(f.topic, head.partition)) ?? 0)).toBeLessThanOrEqual(
      Number(head.offset),
    );
    expect(mostAtOnce).toBeGreaterThan(1);

    release();
    await waitFor(
      'every record handled',
      () => spans.filter((s) => s.end !== undefined).length === KEYS * PER_KEY,
    );
    for (let k = 0; k < KEYS; k += 1) {
      const ofKey = spans.filter((s) => s.key === `key-${k}`);
      // Each once, in order, and never two at a time.
      expect(ofKey.map((s) => s.seq)).toEqual([1, 2, 3, 4, 5]);
      for (let i = 1; i < ofKey.length; i += 1)
        expect(ofKey[i]!.start).toBeGreaterThanOrEqual(ofKey[i - 1]!.end!);
    }
    expect(mostAtOnce).toBeLessThanOrEqual(4 * 2);
    await waitFor(
      'every offset committed',
      async () => (await f.committed(f.topic)) === String(KEYS * PER_KEY),
    );
  });

  it('side by side, a rate-limited record pauses its partition and it is read again from the first unfinished record', async () => {
    const KEYS = 6;
    const PER_KEY = 4;
    const limited = { key: 'key-2', seq: 2 };
    let refused = false;
    const handled: Array<{ key: string; seq: number }> = [];
    const f = await start(
      async (event) => {
        const { orderId: key, amountMinor: seq } = event.data as { orderId: string; amountMinor: number };
        if (!refused && key === limited.key && seq === limited.seq) {
          refused = true;
          throw new TributaryError('PROVIDER_RATE_LIMITED', 'slow down', {
            retriable: true,
            retryAfterMs: 500,
          });
        }
        await new Promise((resolve) => setTimeout(resolve, 3 + ((seq * 5) % 7)));
        handled.push({ key, seq });
      },
      { keyConcurrency: 4, partitionsConsumedConcurrently: 2, rateLimitPause: { minMs: 100, maxMs: 5_000 } },
      (_kafka, _group, producer) => publishPerKey(producer, KEYS, PER_KEY),
    );
    await waitFor(
      'every offset committed',
      async () => (await f.committed(f.topic)) === String(KEYS * PER_KEY),
    );
    expect(refused).toBe(true);
    for (let k = 0; k < KEYS; k += 1) {
      const key = `key-${k}`;
      // Read again after the pause: a record that ran past the unfinished one may run twice (an inbox makes
      // that a no-op), but each record's first run is in order and none is missing.
      const firstRuns = [...new Set(handled.filter((h) => h.key === key).map((h) => h.seq))];
      expect(firstRuns).toEqual([1, 2, 3, 4]);
    }
    expect(await endOffset(f.kafka, `${f.groupId}.retry.1s`)).toBe(0);
  });

  it('drains on stop: the running handler finishes and its offset is committed', async () => {
    let stopCalled = false;
    let finished = false;
    const f = await start(async () => {
      await waitFor('stop() to be called', () => stopCalled);
      // Real I/O after stop was requested, so an undrained shutdown would disconnect under it.
      const registry = await fetch(`${registryUrl}/subjects`);
      await registry.arrayBuffer();
      finished = true;
    });
    await f.producer.publish(orderPlaced('order-drain'));
    await waitFor('the handler to start', () => f.calls.length === 1);

    stopCalled = true;
    await f.consumer.stop();
    expect(finished).toBe(true);
    expect(await f.committed(f.topic)).toBe('1');
  });

  it('refuses to start on a source topic that does not exist, naming it', async () => {
    const kafka = testKafka();
    const topic = uniqueName('kafka-int.missing.v1');
    const consumer = new ReliableConsumer({
      kafka,
      groupId: uniqueName('kafka-int-group'),
      topics: [topic],
      decoder: new AvroEventDecoder({ registry: new SchemaRegistryClient({ url: registryUrl }) }),
      handler: async () => {},
    });
    await expect(consumer.start()).rejects.toThrow(`Kafka topic(s) not found: ${topic}`);
    await consumer.stop();
  });

  it('starts when its first join crashes on a retriable error (a coordinator still loading), as kafkajs restarts it', async () => {
    // kafkajs asks restartOnFailure from inside run() when the first join fails, which happens on a broker
    // whose group coordinator is still loading (a fresh or just restarted cluster): the same call, made
    // here before the real join, must be answered without waiting for the start it is part of.
    const answers: boolean[] = [];
    const f = await start(
      async () => {},
      {},
      async (kafka) => {
        const consumer = kafka.consumer.bind(kafka);
        kafka.consumer = (config) => {
          const real = consumer(config);
          const run = real.run.bind(real);
          real.run = async (runConfig) => {
            const loading = Object.assign(new Error('The coordinator is loading'), { retriable: true });
            if (answers.length === 0) answers.push(await config.retry!.restartOnFailure!(loading));
            return run(runConfig);
          };
          return real;
        };
      },
    );
    expect(answers).toEqual([true]);
    await f.producer.publish(orderPlaced('order-after-loading'));
    await waitFor('the record handled', () => f.calls.length === 1);
  });

  it('keeps the group membership through a handler longer than the session timeout that heartbeats', async () => {
    let joins = 0;
    const f = await start(
      async (_event, context) => {
        const until = Date.now() + 8_000;
        while (Date.now() < until) {
          await context.heartbeat();
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      },
      { sessionTimeoutMs: 6_000, heartbeatIntervalMs: 500 },
    );
    // Count rebalances from here on: a missed session would kick the member out and make it rejoin.
    const kafkaConsumer = f.consumer.kafkaConsumer!;
    kafkaConsumer.on(kafkaConsumer.events.GROUP_JOIN, () => {
      joins += 1;
    });
    await f.producer.publish(orderPlaced('order-long'));
    await waitFor(
      'the long handler to finish and commit',
      async () => (await f.committed(f.topic)) === '1',
      60_000,
    );
    expect(f.calls).toHaveLength(1);
    expect(joins).toBe(0);
  });
});

describe('ReliableConsumer when one of its retry tiers is deleted (kafka-topics.sh --delete)', () => {
  /** Fails every first delivery, so that each record goes through the first tier; succeeds there. */
  const failFirstAttempt = async (_event: DomainEvent, context: EventHandlerContext) => {
    if (context.attempt === 1) {
      throw new TributaryError('PROVIDER_UNAVAILABLE', 'provider down', { retriable: true });
    }
  };
  const handled = (f: Fixture) => f.calls.filter((c) => c.attempt === 2);
  const crashes = (f: Fixture) => f.log.lines.filter((l) => l.message === 'consumer crashed').length;

  async function deleteTopic(kafka: Kafka, topic: string): Promise<void> {
    // What TopicCommand does: a DeleteTopics request through the admin API.
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.deleteTopics({ topics: [topic] });
    } finally {
      await admin.disconnect();
    }
  }

  async function topicExists(kafka: Kafka, topic: string): Promise<boolean> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      return (await admin.listTopics()).includes(topic);
    } finally {
      await admin.disconnect();
    }
  }

  it('recreates the tier and stays up; records routed to it arrive when due, none lost, none doubled', async () => {
    const f = await start(failFirstAttempt, { topicCheckIntervalMs: 500, forwardFailurePauseMs: 300 });
    const tier = `${f.groupId}.retry.1s`;
    const published: string[] = [];
    const publish = async (n: number, label: string) => {
      for (let i = 0; i < n; i += 1)
        published.push((await f.producer.publish(orderPlaced(`order-${label}-${i}`))).eventId);
    };

    await publish(3, 'before');
    await waitFor('the first three through the tier', () => handled(f).length === 3);

    await deleteTopic(f.kafka, tier);
    // Routed while the tier is gone or just back: they must wait for it, not skip to the next tier.
    await publish(3, 'during');
    await waitFor('the tier recreated by the consumer', () => topicExists(f.kafka, tier));
    await publish(3, 'after');

    await waitFor('all nine handled on the tier', () => handled(f).length >= 9, 60_000);
    // Every record once: none lost with the deleted topic's offsets, none handled twice.
    expect(
      handled(f)
        .map((c) => c.event.id)
        .sort(),
    ).toEqual([...published].sort());
    for (const call of handled(f)) {
      expect(call.topic).toBe(tier);
      expect(call.dueAt).toBeDefined();
      expect(call.at).toBeGreaterThanOrEqual(call.dueAt!);
    }
    expect(await endOffset(f.kafka, `${f.groupId}.retry.2s`)).toBe(0);
    expect(await endOffset(f.kafka, `${f.groupId}.dlq`)).toBe(0);
    expect(await counter(metrics.consumerTopicsRecreated, { consumer_group: f.groupId, topic: tier })).toBe(
      1,
    );
    expect(await counter(metrics.consumerTopicMissing, { consumer_group: f.groupId, topic: tier })).toBe(0);
    // kafkajs crashes once on the vanished partition; it must not keep restarting into it.
    expect(crashes(f)).toBeLessThanOrEqual(1);
    await expect(f.consumer.readiness().check(new AbortController().signal)).resolves.toMatchObject({
      group: f.groupId,
      tiers: [tier, `${f.groupId}.retry.2s`],
    });
    await waitFor('source offsets committed', async () => (await f.committed(f.topic)) === '9');
  });

  it('stays up and reports a deleted tier it may not recreate; the records that need it wait for it', async () => {
    const f = await start(
      async (event, context) => {
        if ((event.data as { note: string | null }).note === 'flaky') await failFirstAttempt(event, context);
      },
      { createTopics: false, topicCheckIntervalMs: 300, forwardFailurePauseMs: 300 },
      async (kafka, groupId) => {
        await ensureTopics(kafka, retryTopicSpecs(groupId, ['1s', '2s'], { numPartitions: 2 }));
      },
    );
    const tier = `${f.groupId}.retry.1s`;
    const ready = () => f.consumer.readiness().check(new AbortController().signal);
    await expect(ready()).resolves.toMatchObject({ group: f.groupId });

    await deleteTopic(f.kafka, tier);
    await waitFor('readiness to fail naming the tier', () =>
      ready().then(
        () => false,
        (error: Error) => error.message.includes(tier),
      ),
    );
    expect(await counter(metrics.consumerTopicMissing, { consumer_group: f.groupId, topic: tier })).toBe(1);

    // The source topic keeps flowing.
    const plain = await f.producer.publish(orderPlaced('order-plain'));
    await waitFor('the plain record handled', () => f.calls.some((c) => c.event.id === plain.eventId));
    // This one needs the missing tier: it waits on its partition instead of skipping ahead or dead-lettering.
    const flaky = await f.producer.publish(
      orderPlaced('order-flaky', { data: { orderId: 'order-flaky', amountMinor: 5, note: 'flaky' } }),
    );
    await waitFor(
      'the flaky record held for its tier',
      async () =>
        (await counter(metrics.partitionPauses, { consumer_group: f.groupId, reason: 'forward_failed' })) >=
        2,
    );
    // Several checks later, the consumer has not crash-looped.
    const seen = f.log.lines.length;
    await waitFor(
      'five more checks reporting the tier',
      () =>
        f.log.lines
          .slice(seen)
          .filter((l) => l.message.startsWith('group topics are missing and createTopics is off')).length >=
        5,
    );
    expect(crashes(f)).toBeLessThanOrEqual(1);
    expect(await endOffset(f.kafka, `${f.groupId}.retry.2s`)).toBe(0);
    expect(await endOffset(f.kafka, `${f.groupId}.dlq`)).toBe(0);
    expect(await topicExists(f.kafka, tier)).toBe(false);

    // Whoever owns the topics brings it back: the consumer subscribes to it and the held record goes through.
    await ensureTopics(f.kafka, [{ topic: tier, numPartitions: 2 }]);
    await waitFor('the flaky record handled on the tier', () =>
      f.calls.some((c) => c.event.id === flaky.eventId && c.attempt === 2),
    );
    await expect(ready()).resolves.toMatchObject({ tiers: [tier, `${f.groupId}.retry.2s`] });
    expect(await counter(metrics.consumerTopicMissing, { consumer_group: f.groupId, topic: tier })).toBe(0);
    const succeeded = f.calls.filter(
      (c) => c.event.id === plain.eventId || (c.event.id === flaky.eventId && c.attempt === 2),
    );
    expect(succeeded.map((c) => c.event.id).sort()).toEqual([plain.eventId, flaky.eventId].sort());
    expect(await endOffset(f.kafka, tier)).toBe(1);
    expect(await endOffset(f.kafka, `${f.groupId}.dlq`)).toBe(0);
  });
});
