import { randomUUID } from 'node:crypto';
import type { DomainEvent, EventDefinition, EventTranslation } from '@tributary/contracts';
import {
  AvroEventDecoder,
  AvroEventEncoder,
  ReliableConsumer,
  SchemaRegistryClient,
  TRANSLATED_FROM_HEADER,
  headerText,
  silentLogger,
} from '@tributary/kafka';
import { waitFor } from '@tributary/testkit';
import type { Kafka } from 'kafkajs';
import { Outbox, OutboxRelay, withInbox } from '../index.js';
import { createTestSchema, type TestSchema } from '../../test/support/database.js';
import { requireEnv, uniqueSuffix } from '../../test/support/env.js';
import { createTopics, deleteTopics, KafkajsSink, kafkaClient } from '../../test/support/kafka.js';

// A test-only pair of majors (the platform's production topics are not deprecated): v2 breaks v1 by turning
// the free-text colour into a code and adding a required name, so it is a new topic, as CHANGELOG.md asks.
const suffix = uniqueSuffix();
const v1Topic = `test.widget.v1.${suffix}`;
const v2Topic = `test.widget.v2.${suffix}`;
const v1: EventDefinition = {
  type: 'test.widget.created',
  topic: v1Topic,
  recordName: 'tributary.test.widget.WidgetCreated',
  schema: {
    type: 'record',
    name: 'WidgetCreated',
    namespace: 'tributary.test.widget',
    fields: [
      { name: 'widgetId', type: 'string' },
      { name: 'colour', type: 'string' },
    ],
  },
};
const v2: EventDefinition = {
  type: 'test.widget.created.v2',
  topic: v2Topic,
  recordName: 'tributary.test.widget.v2.WidgetCreated',
  schema: {
    type: 'record',
    name: 'WidgetCreated',
    namespace: 'tributary.test.widget.v2',
    fields: [
      { name: 'widgetId', type: 'string' },
      { name: 'colourCode', type: { type: 'enum', name: 'Colour', symbols: ['RED', 'GREEN', 'BLUE'] } },
      { name: 'name', type: 'string' },
    ],
  },
};
interface WidgetV2 {
  widgetId: string;
  colourCode: 'RED' | 'GREEN' | 'BLUE';
  name: string;
}
const toV1: EventTranslation<WidgetV2, { widgetId: string; colour: string }> = {
  from: v2.type,
  to: v1.type,
  translate: (data) => ({ widgetId: data.widgetId, colour: data.colourCode.toLowerCase() }),
};
const colours = ['RED', 'GREEN', 'BLUE'] as const;

function widgetCreated(widgetId: string, seq: number): DomainEvent<string, WidgetV2> {
  return {
    id: randomUUID(),
    type: v2.type,
    source: '/tributary/persistence-int',
    subject: widgetId,
    time: new Date().toISOString(),
    data: { widgetId, colourCode: colours[seq % 3]!, name: `widget ${seq}` },
  };
}

interface Seen {
  readonly event: DomainEvent;
  readonly translatedFrom: string | undefined;
}

describe('a new major published with its deprecated major through the outbox', () => {
  let db: TestSchema;
  let kafka: Kafka;
  let sink: KafkajsSink;
  let registry: SchemaRegistryClient;
  const running: { stop(): Promise<void> }[] = [];

  beforeAll(async () => {
    db = await createTestSchema('translation');
    kafka = kafkaClient(requireEnv('KAFKA_BROKERS'), 'persistence-translation-test');
    await createTopics(kafka, [v1Topic, v2Topic], 3);
    sink = new KafkajsSink(kafka);
    await sink.connect();
    registry = new SchemaRegistryClient({ url: process.env['SCHEMA_REGISTRY_URL']! });
  });
  afterAll(async () => {
    for (const resource of running.reverse()) await resource.stop().catch(() => undefined);
    await sink?.disconnect();
    if (kafka) await deleteTopics(kafka, [v1Topic, v2Topic]);
    await db?.dispose();
  });

  const encoder = () => new AvroEventEncoder({ registry, definitions: [v1, v2], translations: [toV1] });

  /** A reliable consumer of one major with an inbox; each event applied (not a duplicate) is recorded. */
  async function reader(
    groupId: string,
    definition: EventDefinition,
    applied: Seen[],
  ): Promise<ReliableConsumer> {
    const consumer = new ReliableConsumer({
      kafka,
      groupId,
      topics: [definition.topic],
      decoder: new AvroEventDecoder({ registry, readerDefinitions: [definition] }),
      handler: async (event, context) => {
        const outcome = await withInbox(db.dataSource, groupId, event.id, async () => undefined);
        if (outcome.outcome === 'processed') {
          // The envelope and the payload as plain data (the decoder gives Avro records and trace headers).
          const { id, type, source, subject, time } = event;
          const data = JSON.parse(JSON.stringify(event.data)) as unknown;
          applied.push({
            event: { id, type, source, subject, time, data },
            translatedFrom: headerText(context.headers, TRANSLATED_FROM_HEADER),
          });
        }
      },
      retryTiers: ['1s'],
      fromBeginning: true,
      createTopics: true,
      logger: silentLogger,
    });
    await consumer.start();
    running.push(consumer);
    return consumer;
  }

  it('writes one v2 event as two records, and a v1 consumer is still served, in order per key', async () => {
    const outbox = new Outbox({ encoder: encoder() });
    const widgets = [randomUUID(), randomUUID()];
    const events = widgets.flatMap((widgetId) => [1, 2, 3, 4].map((seq) => widgetCreated(widgetId, seq)));
    for (const event of events) {
      const record = await db.dataSource.transaction((manager) => outbox.publishEvent(manager, event));
      expect(record.topic).toBe(v2Topic);
    }
    // Two rows per event, one per topic, under one event id, v2 first.
    const rows = await db.admin.query<{ topic: string; event_id: string }>(
      `SELECT topic, event_id::text FROM "${db.schema}".outbox ORDER BY id`,
    );
    expect(rows.rows).toEqual(
      events.flatMap((event) => [
        { topic: v2Topic, event_id: event.id },
        { topic: v1Topic, event_id: event.id },
      ]),
    );

    const relay = new OutboxRelay({ dataSource: db.dataSource, sink });
    relay.start();
    running.push(relay);

    const onV1: Seen[] = [];
    const onV2: Seen[] = [];
    await reader(`v1-reader-${suffix}`, v1, onV1);
    await reader(`v2-reader-${suffix}`, v2, onV2);
    await waitFor(() => onV1.length === events.length && onV2.length === events.length, {
      message: 'every event on both majors',
      timeoutMs: 90_000,
    });

    for (const event of events) {
      const [old] = onV1.filter((seen) => seen.event.id === event.id);
      expect(old).toEqual({
        event: {
          ...event,
          type: v1.type,
          data: { widgetId: event.data.widgetId, colour: event.data.colourCode.toLowerCase() },
        },
        translatedFrom: v2.type,
      });
      expect(onV2.filter((seen) => seen.event.id === event.id)).toEqual([
        { event: { ...event }, translatedFrom: undefined },
      ]);
    }
    // Per key, each topic delivers in the order the events were written.
    for (const widgetId of widgets) {
      const written = events.filter((event) => event.subject === widgetId).map((event) => event.id);
      expect(onV1.filter((seen) => seen.event.subject === widgetId).map((seen) => seen.event.id)).toEqual(
        written,
      );
      expect(onV2.filter((seen) => seen.event.subject === widgetId).map((seen) => seen.event.id)).toEqual(
        written,
      );
    }
  }, 180_000);

  it('lets a v1 consumer move to v2 under its group without applying an event twice', async () => {
    const outbox = new Outbox({ encoder: encoder() });
    const group = `mover-${suffix}`;
    const before = [widgetCreated(randomUUID(), 1), widgetCreated(randomUUID(), 2)];
    for (const event of before) await db.dataSource.transaction((m) => outbox.publishEvent(m, event));
    const onV1: Seen[] = [];
    const v1Consumer = await reader(group, v1, onV1);
    await waitFor(() => before.every((event) => onV1.some((seen) => seen.event.id === event.id)), {
      message: 'the mover has read v1',
      timeoutMs: 90_000,
    });
    await v1Consumer.stop();

    // The group now reads v2 from its beginning: what it applied from v1 is in its inbox.
    const after = widgetCreated(randomUUID(), 3);
    await db.dataSource.transaction((m) => outbox.publishEvent(m, after));
    const onV2: Seen[] = [];
    await reader(group, v2, onV2);
    await waitFor(() => onV2.some((seen) => seen.event.id === after.id), {
      message: 'the mover has read v2',
      timeoutMs: 90_000,
    });
    expect(onV2.filter((seen) => before.some((event) => event.id === seen.event.id))).toEqual([]);
    expect(onV2.filter((seen) => seen.event.id === after.id)).toHaveLength(1);
  }, 180_000);

  it('refuses, before commit, an event whose translation does not fit the old schema', async () => {
    const broken: EventTranslation<WidgetV2, unknown> = {
      ...toV1,
      translate: (data) => ({ widgetId: data.widgetId }),
    };
    const outbox = new Outbox({
      encoder: new AvroEventEncoder({ registry, definitions: [v1, v2], translations: [broken] }),
    });
    const event = widgetCreated(randomUUID(), 1);
    await expect(
      db.dataSource.transaction((manager) => outbox.publishEvent(manager, event)),
    ).rejects.toMatchObject({ code: 'SCHEMA_VALIDATION_FAILED' });
    const rows = await db.admin.query(`SELECT 1 FROM "${db.schema}".outbox WHERE event_id = $1`, [event.id]);
    expect(rows.rowCount).toBe(0);
  });
});
