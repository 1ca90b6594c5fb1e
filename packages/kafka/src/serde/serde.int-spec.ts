import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Kafka } from 'kafkajs';
import {
  collect,
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
import { AvroEventDecoder } from './avro-event-decoder.js';
import { AvroEventEncoder } from './avro-event-encoder.js';
import { SchemaRegistryClient } from './schema-registry-client.js';
import { encodeWireFormat } from './wire-format.js';

const { registryUrl } = stackEnv();

describe('Avro serde against the real Kafka and schema registry', () => {
  let kafka: Kafka;
  beforeAll(() => {
    kafka = testKafka();
  });

  it('publishes an event that a consumer decodes with the same content and CloudEvents headers', async () => {
    const topic = uniqueName('kafka-int.order.v1');
    await ensureTopics(kafka, [{ topic, numPartitions: 3 }]);
    const definition = orderPlacedDefinition(topic);
    const registry = new SchemaRegistryClient({ url: registryUrl });
    const producer = new KafkaEventProducer(kafka, {
      encoder: new AvroEventEncoder({ registry, definitions: [definition] }),
    });
    const event = orderPlaced('order-42', {
      correlationId: 'corr-1',
      causationId: 'cause-1',
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    });
    const record = await producer.publish(event);
    await producer.disconnect();

    const reader = await collect(kafka, topic);
    try {
      const [message] = await waitFor(
        'the published record',
        () => reader.messages.length === 1 && reader.messages,
      );
      expect(message!.key?.toString()).toBe('order-42');
      expect(text(message!, 'ce_specversion')).toBe('1.0');
      expect(text(message!, 'ce_id')).toBe(event.id);
      expect(text(message!, 'ce_type')).toBe('test.order.placed');
      expect(text(message!, 'ce_source')).toBe('/tributary/kafka-int');
      expect(text(message!, 'ce_subject')).toBe('order-42');
      expect(text(message!, 'ce_time')).toBe(event.time);
      expect(text(message!, 'content-type')).toBe('application/avro');
      expect(text(message!, 'traceparent')).toBe(event.traceparent);
      expect(text(message!, 'correlation-id')).toBe('corr-1');
      expect(text(message!, 'causation-id')).toBe('cause-1');
      expect(message!.value).toEqual(record.value);

      const decoded = await new AvroEventDecoder({
        registry: new SchemaRegistryClient({ url: registryUrl }),
      }).decode(message!);
      expect(decoded).toEqual({ ...event });
    } finally {
      await reader.stop();
    }

    const subjects = (await (await fetch(`${registryUrl}/subjects`)).json()) as string[];
    expect(subjects).toContain(`${topic}-tributary.test.order.OrderPlaced`);
    const config = (await (
      await fetch(`${registryUrl}/config/${topic}-tributary.test.order.OrderPlaced`)
    ).json()) as {
      compatibilityLevel: string;
    };
    expect(config.compatibilityLevel).toBe('BACKWARD_TRANSITIVE');
  });

  it('shares one registry request between concurrent decodes of an unknown schema id', async () => {
    const topic = uniqueName('kafka-int.order.v1');
    const writer = new SchemaRegistryClient({ url: registryUrl });
    const record = await new AvroEventEncoder({
      registry: writer,
      definitions: [orderPlacedDefinition(topic)],
    }).encode(orderPlaced('order-7'));

    const requests: string[] = [];
    const library = new SchemaRegistry({
      host: registryUrl,
      middlewares: [
        () => ({
          async prepareRequest(next) {
            const request = await next();
            requests.push(`${request.method()} ${request.path()}`);
            return request;
          },
        }),
      ],
    });
    const decoder = new AvroEventDecoder({
      registry: new SchemaRegistryClient({ url: registryUrl, registry: library }),
    });
    const consumed = { key: Buffer.from(record.key), value: record.value, headers: record.headers };

    const [a, b] = await Promise.all([decoder.decode(consumed), decoder.decode(consumed)]);
    expect(a.data).toEqual(b.data);
    const schemaId = record.value.readInt32BE(1);
    expect(requests.filter((r) => r.includes(`/schemas/ids/${schemaId}`))).toHaveLength(1);

    await decoder.decode(consumed);
    expect(requests.filter((r) => r.includes('/schemas/ids/'))).toHaveLength(1);
  });

  it('tells an unknown schema id (final) from an unreachable registry (retriable)', async () => {
    const headers = {
      ce_specversion: '1.0',
      ce_id: 'e-1',
      ce_source: '/s',
      ce_type: 'test.order.placed',
      ce_time: new Date().toISOString(),
      ce_subject: 'k',
    };
    const value = encodeWireFormat(2_000_000_000, Buffer.from([0]));
    const real = new AvroEventDecoder({ registry: new SchemaRegistryClient({ url: registryUrl }) });
    await expect(real.decode({ key: null, value, headers })).rejects.toMatchObject({
      code: 'DECODE_UNKNOWN_SCHEMA',
      retriable: false,
    });

    // Port 1 on loopback: nothing listens, the connection is refused.
    const down = new AvroEventDecoder({ registry: new SchemaRegistryClient({ url: 'http://127.0.0.1:1' }) });
    await expect(down.decode({ key: null, value, headers })).rejects.toMatchObject({
      code: 'SCHEMA_REGISTRY_UNAVAILABLE',
      retriable: true,
    });
  });

  it('gives every process the same id when many register one new subject at once', async () => {
    // Separate clients share nothing, as separate processes: each sees the subject missing and registers.
    const topics = Array.from({ length: 8 }, () => uniqueName('kafka-int.race.v1'));
    const ids = await Promise.all(
      topics.flatMap((topic) =>
        Array.from({ length: 12 }, () =>
          new SchemaRegistryClient({ url: registryUrl })
            .idFor(`${topic}-test.OrderPlaced`, orderPlacedDefinition(topic).schema, { register: true })
            .then((id) => ({ topic, id })),
        ),
      ),
    );
    for (const topic of topics) {
      expect(new Set(ids.filter((r) => r.topic === topic).map((r) => r.id)).size).toBe(1);
    }
  });

  it('lets the registry refuse an incompatible change of an event schema', async () => {
    const topic = uniqueName('kafka-int.order.v1');
    const definition = orderPlacedDefinition(topic);
    const registry = new SchemaRegistryClient({ url: registryUrl });
    await new AvroEventEncoder({ registry, definitions: [definition] }).encode(orderPlaced('order-1'));

    const breaking = {
      ...definition,
      schema: {
        ...definition.schema,
        fields: [...definition.schema.fields, { name: 'mandatory', type: 'string' }],
      },
    };
    const event = orderPlaced('order-2', {
      data: { orderId: 'order-2', amountMinor: 1, note: null, mandatory: 'x' },
    });
    await expect(
      new AvroEventEncoder({
        registry: new SchemaRegistryClient({ url: registryUrl }),
        definitions: [breaking],
      }).encode(event),
    ).rejects.toMatchObject({ code: 'SCHEMA_INCOMPATIBLE', retriable: false });
  });
});
