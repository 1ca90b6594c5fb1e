import { randomUUID } from 'node:crypto';
import { TributaryError } from '@tributary/contracts';
import type { DomainEvent } from '@tributary/contracts';
import { BatchRecordFailed, ReliableConsumer, silentLogger } from '@tributary/kafka';
import type {
  BatchEventHandler,
  EventDecoder,
  EventHandler,
  ReliableConsumerOptions,
} from '@tributary/kafka';
import type { Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { PostgresKeyParking, withInbox, withInboxBatch } from '../../src/index.js';

/** A test event: the `seq`-th event of aggregate `key`. */
export interface Ordered {
  readonly key: string;
  readonly seq: number;
}

/** Test records are JSON `{ id, key, seq }`: ordering does not depend on the wire format. */
export const orderedDecoder: EventDecoder = {
  async decode(record) {
    const { id, key, seq } = JSON.parse(String(record.value)) as Ordered & { id: string };
    const event: DomainEvent<'test.ordered', { seq: number }> = {
      id,
      type: 'test.ordered',
      source: '/tributary/test',
      subject: key,
      time: new Date().toISOString(),
      data: { seq },
    };
    return event;
  },
};

export function orderedMessage(key: string, seq: number): { key: string; value: string } {
  return { key, value: JSON.stringify({ id: randomUUID(), key, seq }) };
}

/** Publishes `perKey` events for each key, round robin, so the keys' records interleave on a partition. */
export async function publishOrdered(
  producer: Producer,
  topic: string,
  keys: readonly string[],
  perKey: number,
): Promise<void> {
  const messages = [];
  for (let seq = 1; seq <= perKey; seq += 1) for (const key of keys) messages.push(orderedMessage(key, seq));
  await producer.send({ topic, acks: -1, messages });
}

/**
 * The effects table: one row per application of an event, `n` in the order they were applied. No unique
 * key: an event applied twice must show as two rows, not as a failure that hides it.
 */
export async function createEffects(dataSource: DataSource, schema: string): Promise<string> {
  const table = `"${schema}".effects`;
  await dataSource.query(
    `CREATE TABLE IF NOT EXISTS ${table} (
       n bigserial PRIMARY KEY, key text NOT NULL, seq integer NOT NULL)`,
  );
  return table;
}

export async function effectsOf(
  dataSource: DataSource,
  table: string,
): Promise<Array<Ordered & { n: number }>> {
  const rows = (await dataSource.query(`SELECT n, key, seq FROM ${table} ORDER BY n`)) as {
    n: string;
    key: string;
    seq: number;
  }[];
  return rows.map((row) => ({ n: Number(row.n), key: row.key, seq: row.seq }));
}

/**
 * Applies an event exactly once (inbox) by writing its effect row. `fail` may throw instead, before the
 * transaction, to steer the event through the tiers or to the DLQ.
 */
export function effectHandler(
  dataSource: DataSource,
  group: string,
  table: string,
  fail: (event: Ordered, attempt: number) => void = () => {},
): EventHandler {
  return async (event, context) => {
    const { seq } = event.data as { seq: number };
    fail({ key: event.subject, seq }, context.attempt);
    await withInbox(dataSource, group, event.id, async (manager) => {
      await manager.query(`INSERT INTO ${table} (key, seq) VALUES ($1, $2)`, [event.subject, seq]);
    });
  };
}

/**
 * The batch form of `effectHandler`: the effects of a whole batch in one inbox transaction. `fail` throwing
 * for any event refuses the batch (nothing kept): a retriable error is passed on naming the record
 * (`BatchRecordFailed`), any other as it is, as a constraint violation would be, so both of the consumer's
 * ways of isolating a record run. `inside` runs in the open transaction after the effects were written.
 */
export function effectBatchHandler(
  dataSource: DataSource,
  group: string,
  table: string,
  options: { fail?: (event: Ordered) => void; inside?: () => Promise<void>; calls?: { count: number } } = {},
): BatchEventHandler {
  return async (items) => {
    if (options.calls) options.calls.count += 1;
    await withInboxBatch(
      dataSource,
      group,
      items.map(({ event }) => event.id),
      async (manager, fresh) => {
        // A redelivered copy inside the same batch is fresh too: apply an id once.
        const pending = new Set(fresh);
        const apply = items.filter(({ event }) => pending.delete(event.id));
        for (const item of apply) {
          try {
            options.fail?.({ key: item.event.subject, seq: seqOf(item.event) });
          } catch (error) {
            if (!(error instanceof TributaryError && error.retriable)) throw error;
            throw new BatchRecordFailed(items.indexOf(item), error);
          }
        }
        if (apply.length > 0) {
          await manager.query(`INSERT INTO ${table} (key, seq) SELECT * FROM unnest($1::text[], $2::int[])`, [
            apply.map(({ event }) => event.subject),
            apply.map(({ event }) => seqOf(event)),
          ]);
        }
        await options.inside?.();
      },
    );
  };
}

function seqOf(event: { data: unknown }): number {
  return (event.data as { seq: number }).seq;
}

/** A consumer group keeping order by key, its parked records in `dataSource`'s schema. */
export function orderedConsumer(
  options: Pick<ReliableConsumerOptions, 'kafka' | 'groupId' | 'topics' | 'handler'> & {
    dataSource: DataSource;
    onDeadLetter?: 'block' | 'skip';
  } & Partial<ReliableConsumerOptions>,
): ReliableConsumer {
  const { dataSource, onDeadLetter, ...rest } = options;
  return new ReliableConsumer({
    decoder: orderedDecoder,
    retryTiers: ['1s', '2s'],
    inProcessRetry: { maxRetries: 0 },
    fromBeginning: true,
    logger: silentLogger,
    parkingSweepMs: 500,
    maxWaitTimeMs: 200,
    ordering: {
      mode: 'key',
      parking: new PostgresKeyParking(dataSource),
      onDeadLetter: onDeadLetter ?? 'skip',
    },
    ...rest,
  });
}

/** Every record of `topic` from the start, until `count` are read. */
export async function readTopic(kafka: Kafka, topic: string, count: number): Promise<KafkaMessage[]> {
  const consumer = kafka.consumer({ groupId: `read-${randomUUID()}` });
  const read: KafkaMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`read ${read.length} of ${count} on ${topic}`)),
        60_000,
      );
      void consumer.run({
        eachMessage: async ({ message }) => {
          read.push(message);
          if (read.length >= count) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    return read;
  } finally {
    await consumer.disconnect();
  }
}
