import 'reflect-metadata';
import { TributaryError } from '@tributary/contracts';
import type { DomainEvent } from '@tributary/contracts';
import { Controller, Module } from '@nestjs/common';
import type { INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { Partitioners } from 'kafkajs';
import {
  collect,
  captureLogger,
  orderCancelledDefinition,
  orderPlaced,
  orderPlacedDefinition,
  stackEnv,
  testKafka,
  text,
  uniqueName,
  waitFor,
} from '../../test/support.js';
import { ensureTopics } from '../kafka-client.js';
import { KafkaEventProducer } from '../producer.js';
import { AvroEventDecoder } from '../serde/avro-event-decoder.js';
import { AvroEventEncoder } from '../serde/avro-event-encoder.js';
import { SchemaRegistryClient } from '../serde/schema-registry-client.js';
import { TributaryEventErrorFilter } from './tributary-event-error.filter.js';
import type { TributaryEventContext } from './tributary-event.context.js';
import { TributaryKafkaServer } from './tributary-kafka.server.js';

const { registryUrl } = stackEnv();

interface Seen {
  handler: string;
  event: DomainEvent;
  attempt: number;
  signature: unknown;
}
const seen: Seen[] = [];

@Controller()
class OrdersController {
  @EventPattern<string>('test.order.placed')
  async placed(@Payload() event: DomainEvent, @Ctx() context: TributaryEventContext): Promise<void> {
    if ((event.data as { note: string | null }).note === 'poison') {
      throw new TributaryError('ORDER_INVALID', 'negative amount', { retriable: false });
    }
    seen.push({
      handler: 'placed',
      event,
      attempt: context.getAttempt(),
      signature: context.getHeaders()['x-sig'],
    });
  }

  @EventPattern<string>('test.order.cancelled')
  async cancelled(@Payload() event: DomainEvent, @Ctx() context: TributaryEventContext): Promise<void> {
    seen.push({ handler: 'cancelled', event, attempt: context.getAttempt(), signature: undefined });
    await context.heartbeat();
  }
}

@Module({ controllers: [OrdersController] })
class OrdersModule {}

describe('TributaryKafkaServer (Nest custom transport)', () => {
  let app: INestMicroservice | undefined;
  let producer: KafkaEventProducer | undefined;
  afterEach(async () => {
    await app?.close();
    await producer?.disconnect();
  });

  it('routes by ce_type to @EventPattern handlers, skips ignored types, dead-letters unknown types and handler codes, keeps binary headers', async () => {
    const log = captureLogger();
    const kafka = testKafka(log.logger);
    const topic = uniqueName('kafka-int.order.v1');
    const groupId = uniqueName('kafka-int-nest');
    await ensureTopics(kafka, [{ topic, numPartitions: 1 }]);
    const registry = new SchemaRegistryClient({ url: registryUrl });
    const placed = orderPlacedDefinition(topic);
    const cancelled = orderCancelledDefinition(topic);
    // Same record schema, a type no handler declares.
    const unrouted = { ...placed, type: 'test.order.unrouted' };
    // Another aggregate type on the topic that this group leaves alone on purpose.
    const ignoredType = { ...placed, type: 'test.order.audited' };
    producer = new KafkaEventProducer(kafka, {
      encoder: new AvroEventEncoder({ registry, definitions: [placed, cancelled, unrouted, ignoredType] }),
    });

    app = await NestFactory.createMicroservice(OrdersModule, {
      strategy: new TributaryKafkaServer({
        kafka,
        groupId,
        topics: [topic],
        decoder: new AvroEventDecoder({ registry }),
        retryTiers: ['1s'],
        fromBeginning: true,
        logger: log.logger,
        ignoredEventTypes: ['test.order.audited'],
      }),
      logger: false,
    });
    app.useGlobalFilters(new TributaryEventErrorFilter());
    await app.listen();

    const first = orderPlaced('order-nest');
    const audited = orderPlaced('order-nest', { type: 'test.order.audited' });
    const unknown = orderPlaced('order-nest', { type: 'test.order.unrouted' });
    const poison = orderPlaced('order-nest', {
      data: { orderId: 'order-nest', amountMinor: -5, note: 'poison' },
    });
    const cancel: DomainEvent = {
      ...orderPlaced('order-nest'),
      type: 'test.order.cancelled',
      data: { orderId: 'order-nest', reason: 'customer asked' },
    };
    await producer.publish(first);
    // Published before the unknown type on the one partition: were it dead-lettered, it would come first there.
    await producer.publish(audited);
    await producer.publish(unknown);
    await producer.publish(poison);
    await producer.publish(cancel);

    // A signed webhook's raw signature bytes: not valid UTF-8, must arrive untouched.
    const signature = Buffer.from([0xff, 0xfe, 0x00, 0x80]);
    const signed = orderPlaced('order-nest');
    const record = await new AvroEventEncoder({ registry, definitions: [placed] }).encode(signed);
    const raw = kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: false,
    });
    await raw.connect();
    await raw.send({
      topic,
      messages: [
        { key: record.key, value: record.value, headers: { ...record.headers, 'x-sig': signature } },
      ],
    });
    await raw.disconnect();

    await waitFor('the signed event after the failures', () => seen.some((s) => s.event.id === signed.id));
    expect(seen.map((s) => [s.handler, s.event.id])).toEqual([
      ['placed', first.id],
      ['cancelled', cancel.id],
      ['placed', signed.id],
    ]);
    expect(seen[1]!.event.data).toEqual({ orderId: 'order-nest', reason: 'customer asked' });
    expect(seen[2]!.signature).toEqual(signature);
    expect(seen.every((s) => s.attempt === 1)).toBe(true);

    const reader = await collect(kafka, `${groupId}.dlq`);
    try {
      const dead = await waitFor('two dead letters', () => reader.messages.length >= 2 && reader.messages);
      expect(dead.map((m) => [text(m, 'ce_id'), text(m, 'tributary-error-code')])).toEqual([
        [unknown.id, 'UNKNOWN_EVENT_TYPE'],
        [poison.id, 'ORDER_INVALID'],
      ]);
      expect(text(dead[1]!, 'kafka_exception-message')).toBe('negative amount');
    } finally {
      await reader.stop();
    }
  });
});
