import type { DomainEvent, EventDefinition } from '@tributary/contracts';
import avro from 'avsc';
import { AvroEventDecoder } from './avro-event-decoder.js';
import { AvroEventEncoder } from './avro-event-encoder.js';
import type { SchemaRegistryClient } from './schema-registry-client.js';
import { encodeWireFormat } from './wire-format.js';

// Unit level: the registry is replaced by an in-memory stand-in; the int-spec runs the same paths for real.
const placedV1: EventDefinition = {
  type: 'test.order.placed',
  topic: 'test.order.v1',
  recordName: 'tributary.test.OrderPlaced',
  schema: {
    type: 'record',
    name: 'OrderPlaced',
    namespace: 'tributary.test',
    fields: [
      { name: 'orderId', type: 'string' },
      { name: 'amountMinor', type: 'long' },
      {
        name: 'lines',
        type: {
          type: 'array',
          items: { type: 'record', name: 'Line', fields: [{ name: 'sku', type: 'string' }] },
        },
      },
    ],
  },
};

function inMemoryRegistry(): SchemaRegistryClient & { registered: Map<number, avro.Type> } {
  const registered = new Map<number, avro.Type>();
  return {
    registered,
    async idFor(_subject: string, schema: unknown) {
      const id = registered.size + 1;
      registered.set(id, avro.Type.forSchema(schema as avro.Schema));
      return id;
    },
    async schemaById(id: number) {
      const type = registered.get(id);
      if (!type)
        throw Object.assign(new Error('unknown'), { code: 'DECODE_UNKNOWN_SCHEMA', retriable: false });
      return type;
    },
  } as unknown as SchemaRegistryClient & { registered: Map<number, avro.Type> };
}

const event: DomainEvent = {
  id: '01890a5d-ac96-774b-bcce-b302099a8057',
  type: 'test.order.placed',
  source: '/tributary/test',
  subject: 'order-1',
  time: '2025-01-02T03:04:05.678Z',
  data: { orderId: 'order-1', amountMinor: 1250, lines: [{ sku: 'A-1' }] },
};

describe('AvroEventEncoder', () => {
  it('encodes to the definition topic, keyed by subject, Confluent-framed', async () => {
    const registry = inMemoryRegistry();
    const record = await new AvroEventEncoder({ registry, definitions: [placedV1] }).encode(event);
    expect(record).toMatchObject({ topic: 'test.order.v1', key: 'order-1', eventId: event.id });
    expect(record.value[0]).toBe(0);
    expect(record.value.readInt32BE(1)).toBe(1);
    expect(record.headers['content-type']).toBe('application/avro');
  });

  it('names every bad field path, without echoing values', () => {
    const encoder = new AvroEventEncoder({ registry: inMemoryRegistry(), definitions: [placedV1] });
    const bad = {
      ...event,
      subject: '',
      time: 'yesterday',
      data: { orderId: 'secret@example.com', amountMinor: 'ten', lines: [{ sku: 42 }] },
    };
    let caught: unknown;
    try {
      encoder.validate(bad);
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: 'SCHEMA_VALIDATION_FAILED', retriable: false });
    const message = (caught as Error).message;
    expect(message).toContain('subject: must be a non-empty string');
    expect(message).toContain('time: must be an RFC 3339 timestamp');
    expect(message).toContain('data.amountMinor: expected long, got string');
    expect(message).toContain('data.lines.0.sku: expected string, got number');
    expect(message).not.toContain('ten');
  });

  it('refuses an unknown event type as UNKNOWN_EVENT_TYPE', async () => {
    const encoder = new AvroEventEncoder({ registry: inMemoryRegistry(), definitions: [placedV1] });
    await expect(encoder.encode({ ...event, type: 'test.order.vanished' })).rejects.toMatchObject({
      code: 'UNKNOWN_EVENT_TYPE',
      retriable: false,
    });
  });

  it('refuses a definition whose recordName is not its schema full name', () => {
    expect(
      () =>
        new AvroEventEncoder({
          registry: inMemoryRegistry(),
          definitions: [{ ...placedV1, recordName: 'tributary.test.Other' }],
        }),
    ).toThrow(/differs/);
  });
});

describe('AvroEventDecoder', () => {
  it('round-trips an event, headers included', async () => {
    const registry = inMemoryRegistry();
    const record = await new AvroEventEncoder({ registry, definitions: [placedV1] }).encode(event);
    const decoded = await new AvroEventDecoder({ registry }).decode({
      key: Buffer.from(record.key),
      value: record.value,
      headers: Object.fromEntries(Object.entries(record.headers).map(([k, v]) => [k, Buffer.from(v)])),
    });
    expect(decoded).toMatchObject({ ...event, correlationId: event.id });
    expect(decoded.data).toEqual(event.data);
  });

  it('resolves an older writer schema into the reader schema of the event type', async () => {
    const registry = inMemoryRegistry();
    const record = await new AvroEventEncoder({ registry, definitions: [placedV1] }).encode(event);
    const v2 = {
      ...placedV1,
      schema: {
        ...placedV1.schema,
        fields: [...placedV1.schema.fields, { name: 'currency', type: 'string', default: 'EUR' }],
      },
    };
    const decoded = await new AvroEventDecoder({ registry, readerDefinitions: [v2] }).decode({
      key: null,
      value: record.value,
      headers: record.headers,
    });
    expect(decoded.data).toMatchObject({ orderId: 'order-1', currency: 'EUR' });
  });

  it('reports corrupt Avro, missing headers and an incompatible reader with their codes', async () => {
    const registry = inMemoryRegistry();
    const record = await new AvroEventEncoder({ registry, definitions: [placedV1] }).encode(event);
    const decoder = new AvroEventDecoder({ registry });
    await expect(
      decoder.decode({
        key: null,
        value: encodeWireFormat(1, Buffer.from([0x02, 0x41])),
        headers: record.headers,
      }),
    ).rejects.toMatchObject({ code: 'DECODE_CORRUPT_AVRO', retriable: false });
    await expect(decoder.decode({ key: null, value: record.value, headers: {} })).rejects.toMatchObject({
      code: 'DECODE_MISSING_HEADERS',
    });
    const incompatible = {
      ...placedV1,
      schema: { ...placedV1.schema, fields: [{ name: 'mandatoryNew', type: 'string' }] },
    };
    await expect(
      new AvroEventDecoder({ registry, readerDefinitions: [incompatible] }).decode({
        key: null,
        value: record.value,
        headers: record.headers,
      }),
    ).rejects.toMatchObject({ code: 'DECODE_INCOMPATIBLE_SCHEMA', retriable: false });
  });
});

describe('AvroEventEncoder translations', () => {
  const placedV2: EventDefinition = {
    type: 'test.order.placed.v2',
    topic: 'test.order.v2',
    recordName: 'tributary.test.v2.OrderPlaced',
    schema: {
      type: 'record',
      name: 'OrderPlaced',
      namespace: 'tributary.test.v2',
      fields: [
        { name: 'orderId', type: 'string' },
        { name: 'totalMinor', type: 'long' },
      ],
    },
  };
  const toV1 = {
    from: placedV2.type,
    to: placedV1.type,
    translate: (data: unknown) => {
      const v2 = data as { orderId: string; totalMinor: number };
      return { orderId: v2.orderId, amountMinor: v2.totalMinor, lines: [] };
    },
  };
  const v2Event: DomainEvent = {
    ...event,
    type: placedV2.type,
    data: { orderId: 'order-1', totalMinor: 990 },
  };

  it('encode the new major first, then the old one under the same id and key, marked as translated', async () => {
    const registry = inMemoryRegistry();
    const encoder = new AvroEventEncoder({
      registry,
      definitions: [placedV1, placedV2],
      translations: [toV1],
    });
    const [own, old, ...rest] = await encoder.encodeAll(v2Event);
    expect(rest).toEqual([]);
    expect([own!.topic, own!.headers['ce_type'], own!.headers['tributary-translated-from']]).toEqual([
      'test.order.v2',
      'test.order.placed.v2',
      undefined,
    ]);
    expect([old!.topic, old!.key, old!.eventId, old!.headers['ce_type']]).toEqual([
      'test.order.v1',
      'order-1',
      event.id,
      'test.order.placed',
    ]);
    expect(old!.headers['tributary-translated-from']).toBe('test.order.placed.v2');
    expect(
      registry.registered.get(old!.value.readInt32BE(1))!.fromBuffer(old!.value.subarray(5)),
    ).toMatchObject({
      orderId: 'order-1',
      amountMinor: 990,
    });
    // A type without translation is one record.
    expect(await encoder.encodeAll(event)).toHaveLength(1);
  });

  it('refuse a translation naming a type it cannot encode, or staying on one topic', () => {
    expect(
      () =>
        new AvroEventEncoder({ registry: inMemoryRegistry(), definitions: [placedV2], translations: [toV1] }),
    ).toThrow('no definition for test.order.placed');
    expect(
      () =>
        new AvroEventEncoder({
          registry: inMemoryRegistry(),
          definitions: [placedV1, { ...placedV2, topic: 'test.order.v1' }],
          translations: [toV1],
        }),
    ).toThrow('both types are on one topic');
  });
});
