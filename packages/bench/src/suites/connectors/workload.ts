import { setTimeout as sleep } from 'node:timers/promises';
import type { EventOf } from '@tributary/contracts';
import type { AvroEventEncoder, EncodedRecord, KafkaEventProducer } from '@tributary/kafka';
import type pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import type { EventTiming } from './figures.js';

/** Encoded payments.payment.requested events, made before any clock starts. */
export async function paymentRequests(encoder: AvroEventEncoder, count: number): Promise<EncodedRecord[]> {
  const records: EncodedRecord[] = [];
  for (let i = 0; i < count; i++) {
    const paymentId = uuidv7();
    const event: EventOf<'payments.payment.requested'> = {
      id: uuidv7(),
      type: 'payments.payment.requested',
      source: '/tributary/bench',
      subject: paymentId,
      time: new Date().toISOString(),
      data: {
        paymentId,
        orderId: uuidv7(),
        customerId: uuidv7(),
        amountMinor: 4200,
        currency: 'EUR',
        paymentMethod: null,
        description: null,
        requestedAt: Date.now(),
      },
    };
    records.push(await encoder.encode(event));
  }
  return records;
}

/** Publishes everything at once, in batches; each record's clock starts when its batch is sent. */
export async function publishBurst(
  producer: KafkaEventProducer,
  records: readonly EncodedRecord[],
  batch = 500,
): Promise<Map<string, number>> {
  const publishedAt = new Map<string, number>();
  for (let i = 0; i < records.length; i += batch) {
    const slice = records.slice(i, i + batch);
    const at = Date.now();
    for (const record of slice) publishedAt.set(record.eventId, at);
    await producer.send(slice);
  }
  return publishedAt;
}

/** Publishes one record every 1/rate seconds, so latencies are the connector's, not a queue's. */
export async function publishPaced(
  producer: KafkaEventProducer,
  records: readonly EncodedRecord[],
  ratePerSecond: number,
): Promise<Map<string, number>> {
  const publishedAt = new Map<string, number>();
  const start = Date.now();
  const sends: Promise<void>[] = [];
  for (const [index, record] of records.entries()) {
    const due = start + (index * 1000) / ratePerSecond;
    const wait = due - Date.now();
    if (wait > 0) await sleep(wait);
    publishedAt.set(record.eventId, Date.now());
    sends.push(producer.send([record]));
  }
  await Promise.all(sends);
  return publishedAt;
}

export interface ConnectorTables {
  readonly pool: pg.Pool;
  readonly inboxTable: string;
  readonly outboxTable: string;
  readonly group: string;
}

/** How many of these events the connector has committed (inbox rows). */
export async function committedCount(tables: ConnectorTables, eventIds: readonly string[]): Promise<number> {
  const { rows } = await tables.pool.query<{ n: string }>(
    `SELECT count(*) AS n FROM ${tables.inboxTable} WHERE consumer_group = $1 AND event_id = ANY($2)`,
    [tables.group, eventIds],
  );
  return Number(rows[0]!.n);
}

/**
 * Waits until every event is committed and its outcome published, or the deadline passes; then reads the
 * commit and publish times from the connector's own tables (Postgres and this process share the clock).
 */
export async function awaitTimings(
  tables: ConnectorTables,
  publishedAt: ReadonlyMap<string, number>,
  deadlineMs: number,
  progress: (committed: number) => void,
): Promise<EventTiming[]> {
  const ids = [...publishedAt.keys()];
  const until = Date.now() + deadlineMs;
  let lastReport = 0;
  for (;;) {
    const { rows } = await tables.pool.query<{ done: string; published: string }>(
      `SELECT count(*) AS done, count(o.published_at) AS published
         FROM ${tables.inboxTable} i
         LEFT JOIN ${tables.outboxTable} o ON o.headers->>'causation-id' = i.event_id
        WHERE i.consumer_group = $1 AND i.event_id = ANY($2)`,
      [tables.group, ids],
    );
    const done = Number(rows[0]!.done);
    const published = Number(rows[0]!.published);
    if (Date.now() - lastReport > 5_000) {
      progress(done);
      lastReport = Date.now();
    }
    if ((done === ids.length && published === ids.length) || Date.now() > until) break;
    await sleep(250);
  }
  const { rows } = await tables.pool.query<{ event_id: string; committed: string; outcome: string | null }>(
    `SELECT i.event_id,
            (extract(epoch FROM i.processed_at) * 1000)::float8 AS committed,
            (extract(epoch FROM o.published_at) * 1000)::float8 AS outcome
       FROM ${tables.inboxTable} i
       LEFT JOIN ${tables.outboxTable} o ON o.headers->>'causation-id' = i.event_id
      WHERE i.consumer_group = $1 AND i.event_id = ANY($2)`,
    [tables.group, ids],
  );
  return rows.map((row) => ({
    publishedAt: publishedAt.get(row.event_id)!,
    committedAt: Number(row.committed),
    outcomePublishedAt: row.outcome === null ? Number.NaN : Number(row.outcome),
  }));
}
