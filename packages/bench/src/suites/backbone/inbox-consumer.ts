import { TributaryError } from '@tributary/contracts';
import type { DomainEvent } from '@tributary/contracts';
import { AvroEventDecoder, BatchRecordFailed, ReliableConsumer } from '@tributary/kafka';
import type { SchemaRegistryClient } from '@tributary/kafka';
import { metrics } from '@tributary/observability';
import { PostgresKeyParking, withInbox, withInboxBatch } from '@tributary/persistence';
import type { Kafka } from 'kafkajs';
import type { DataSource, EntityManager } from 'typeorm';
import { deadlineMs, deferred, within } from './figures.js';
import type { Figures } from './figures.js';

export interface InboxConsumerOptions {
  readonly kafka: Kafka;
  readonly registry: SchemaRegistryClient;
  /** Initialized and migrated; its pool needs a connection per concurrently consumed partition. */
  readonly dataSource: DataSource;
  readonly topic: string;
  readonly groupId: string;
  /** The phase's own effect table. */
  readonly table: string;
  /** Records on the topic, all distinct events. */
  readonly events: number;
  readonly concurrency: number;
  /** `event`: one inbox transaction per event; `batch`: one per batch of up to `BATCH_RECORDS`. */
  readonly mode: 'event' | 'batch';
  /**
   * Subjects (order ids) whose first event fails once: it goes to the 5 s retry tier (the platform default first tier) and the key's later
   * events wait, parked, behind it. The others are the healthy keys whose rate the phase reports.
   */
  readonly failingSubjects?: ReadonlySet<string>;
  /** Called once the consumer knows its retry and DLQ topics, so they are cleaned up with the run. */
  readonly onTopics: (topics: readonly string[]) => void;
}

export interface InboxConsumerFigures extends Figures {
  /** From start() to the first handler call: group join and first fetch, paid once per start. */
  readonly joinMs: number;
  /** Effect rows in the table afterwards; equals `events` when each effect was applied exactly once. */
  readonly effects: number;
  readonly duplicates: number;
  /** Transactions that applied events (one per event, or one per batch). */
  readonly transactions: number;
  /** Events of healthy keys, and the time from the first handler call to the last of them. */
  readonly healthy: { readonly events: number; readonly elapsedMs: number };
  /** Records parked behind a failing head, and out of order per key among the effects (must be 0). */
  readonly parked: number;
  readonly outOfOrder: number;
}

export const BATCH_RECORDS = 500;

interface Effect {
  readonly eventId: string;
  readonly orderId: string;
  readonly totalMinor: number;
  readonly seq: number;
}

/**
 * (c): a ReliableConsumer reads the topic from the beginning, keeping order by key (Postgres parking, the
 * platform's default), and inserts an effect row per event inside the inbox: one transaction per event
 * (`event`), or per batch (`batch`, `withInboxBatch`). The clock runs from the first handler call to the last
 * commit of an effect, so the one-off group join is reported apart; an event's latency is its transaction's.
 */
export async function inboxConsumerPhase(options: InboxConsumerOptions): Promise<InboxConsumerFigures> {
  const { dataSource, events, groupId } = options;
  const { table } = options;
  await dataSource.query(
    `CREATE TABLE ${table} (n bigserial PRIMARY KEY, event_id uuid NOT NULL, order_id text NOT NULL,
       total_minor bigint NOT NULL, seq bigint NOT NULL)`,
  );
  const failing = options.failingSubjects ?? new Set<string>();
  const latenciesMs = new Float64Array(events);
  let processed = 0;
  let healthy = 0;
  let duplicates = 0;
  let transactions = 0;
  let firstAt = Number.NaN;
  let lastAt = 0;
  let lastHealthyAt = 0;
  const done = deferred();

  const effectOf = (event: DomainEvent, offset: string): Effect => {
    const order = event.data as { orderId: string; totalAmountMinor: number };
    return {
      eventId: event.id,
      orderId: order.orderId,
      totalMinor: order.totalAmountMinor,
      seq: Number(offset),
    };
  };
  const write = (manager: EntityManager, effects: readonly Effect[]) =>
    manager.query(
      `INSERT INTO ${table} (event_id, order_id, total_minor, seq)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::bigint[])`,
      [
        effects.map((e) => e.eventId),
        effects.map((e) => e.orderId),
        effects.map((e) => e.totalMinor),
        effects.map((e) => e.seq),
      ],
    );
  const failsNow = (event: DomainEvent, attempt: number) => {
    if (attempt === 1 && failing.has(event.subject) && firstOf.get(event.subject) === event.id)
      throw new TributaryError('BENCH_FLAKY', `first event of ${event.subject} fails once`, {
        retriable: true,
      });
  };
  const firstOf = new Map<string, string>();
  const applied = (effects: readonly Effect[], began: number) => {
    const now = performance.now();
    transactions += 1;
    for (const effect of effects) {
      if (processed < events) latenciesMs[processed] = now - began;
      processed += 1;
      if (!failing.has(effect.orderId)) {
        healthy += 1;
        lastHealthyAt = now;
      }
    }
    lastAt = now;
    if (processed >= events) done.resolve();
  };
  const start = () => {
    const began = performance.now();
    if (Number.isNaN(firstAt)) firstAt = began;
    return began;
  };

  const consumer = new ReliableConsumer({
    kafka: options.kafka,
    groupId,
    topics: [options.topic],
    decoder: new AvroEventDecoder({ registry: options.registry }),
    fromBeginning: true,
    partitionsConsumedConcurrently: options.concurrency,
    retryTiers: ['5s'],
    inProcessRetry: { maxRetries: 0 },
    ordering: { mode: 'key', parking: new PostgresKeyParking(dataSource) },
    parkingSweepMs: 500,
    handler: async (event, context) => {
      const began = start();
      failsNow(event, context.attempt);
      const effect = effectOf(event, context.offset);
      const result = await withInbox(dataSource, groupId, event.id, (manager) => write(manager, [effect]));
      if (result.outcome === 'duplicate') duplicates += 1;
      else applied([effect], began);
    },
    ...(options.mode === 'batch'
      ? {
          batch: {
            maxRecords: BATCH_RECORDS,
            handler: async (items) => {
              const began = start();
              items.forEach(({ event, context }, index) => {
                try {
                  failsNow(event, context.attempt);
                } catch (error) {
                  throw new BatchRecordFailed(index, error);
                }
              });
              const effects = items.map(({ event, context }) => effectOf(event, context.offset));
              const { value: apply } = await withInboxBatch(
                dataSource,
                groupId,
                effects.map((e) => e.eventId),
                async (manager, fresh) => {
                  // A copy redelivered inside the batch is fresh once.
                  const pending = new Set(fresh);
                  const once = effects.filter((e) => pending.delete(e.eventId));
                  if (once.length > 0) await write(manager, once);
                  return once;
                },
              );
              duplicates += effects.length - apply.length;
              applied(apply, began);
            },
          },
        }
      : {}),
  });
  options.onTopics([...consumer.tiers.map((tier) => tier.topic), consumer.dlqTopic]);
  if (failing.size > 0) await firstEvents(options, failing, firstOf);

  // Records that fail for good never reach the handler; without this the phase would only end at its deadline.
  const watchdog = setInterval(() => {
    void failedRecords(groupId).then((failed) => {
      if (failed)
        done.reject(new Error(`records were not processed: ${failed} (see the consumer's log above)`));
    });
  }, 500);
  const started = performance.now();
  try {
    await consumer.start();
    await within(done.promise, deadlineMs(events), `consuming ${events} events with the inbox`).catch(
      (error: unknown) => {
        throw new Error(`${(error as Error).message}: ${processed} processed, ${duplicates} duplicates`, {
          cause: error,
        });
      },
    );
  } finally {
    clearInterval(watchdog);
    await consumer.stop();
  }
  const [{ count }] = (await dataSource.query(`SELECT count(*)::int AS count FROM ${table}`)) as [
    { count: number },
  ];
  // Per key, the effects in the order they were applied must follow the offsets (one partition per key).
  const [{ outOfOrder }] = (await dataSource.query(
    `SELECT count(*)::int AS "outOfOrder" FROM (
       SELECT seq < lag(seq) OVER (PARTITION BY order_id ORDER BY n) AS back FROM ${table}) s WHERE back`,
  )) as [{ outOfOrder: number }];
  const { values } = await metrics.messagesConsumed.get();
  const parked = values
    .filter((v) => v.labels.consumer_group === groupId && v.labels.outcome === 'parked')
    .reduce((sum, v) => sum + v.value, 0);
  return {
    events,
    elapsedMs: lastAt - firstAt,
    latenciesMs,
    joinMs: firstAt - started,
    effects: count,
    duplicates,
    transactions,
    healthy: { events: healthy, elapsedMs: lastHealthyAt - firstAt },
    parked,
    outOfOrder,
  };
}

/** The first event id of each failing subject, read off the topic before the phase starts. */
async function firstEvents(
  options: InboxConsumerOptions,
  failing: ReadonlySet<string>,
  firstOf: Map<string, string>,
): Promise<void> {
  const decoder = new AvroEventDecoder({ registry: options.registry });
  const reader = options.kafka.consumer({ groupId: `${options.groupId}.scan` });
  await reader.connect();
  try {
    await reader.subscribe({ topics: [options.topic], fromBeginning: true });
    const found = deferred();
    await reader.run({
      eachMessage: async ({ message }) => {
        const event = await decoder.decode(message);
        if (failing.has(event.subject) && !firstOf.has(event.subject)) firstOf.set(event.subject, event.id);
        if (firstOf.size === failing.size) found.resolve();
      },
    });
    await within(found.promise, 60_000, 'finding the first event of each failing key');
  } finally {
    await reader.disconnect();
  }
}

/** Outcomes that mean a record was not applied, as "outcome: count", or undefined when none. */
async function failedRecords(groupId: string): Promise<string | undefined> {
  const { values } = await metrics.messagesConsumed.get();
  const failed = values.filter(
    (v) =>
      v.labels.consumer_group === groupId &&
      (v.labels.outcome === 'dead_lettered' || v.labels.outcome === 'undecodable') &&
      v.value > 0,
  );
  return failed.length === 0
    ? undefined
    : failed.map((v) => `${String(v.labels.outcome)} ${v.value}`).join(', ');
}
