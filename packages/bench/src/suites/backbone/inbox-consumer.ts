import { AvroEventDecoder, ReliableConsumer } from '@tributary/kafka';
import type { SchemaRegistryClient } from '@tributary/kafka';
import { metrics } from '@tributary/observability';
import { withInbox } from '@tributary/persistence';
import type { Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { deadlineMs, deferred, within } from './figures.js';
import type { Figures } from './figures.js';

export interface InboxConsumerOptions {
  readonly kafka: Kafka;
  readonly registry: SchemaRegistryClient;
  /** Initialized and migrated; its pool needs a connection per concurrently consumed partition. */
  readonly dataSource: DataSource;
  readonly topic: string;
  readonly groupId: string;
  /** Records on the topic, all distinct events. */
  readonly events: number;
  readonly concurrency: number;
  /** Called once the consumer knows its retry and DLQ topics, so they are cleaned up with the run. */
  readonly onTopics: (topics: readonly string[]) => void;
}

export interface InboxConsumerFigures extends Figures {
  /** From start() to the first handler call: group join and first fetch, paid once per start. */
  readonly joinMs: number;
  /** Effect rows in the table afterwards; equals `events` when each effect was applied exactly once. */
  readonly effects: number;
  readonly duplicates: number;
}

const EFFECT_TABLE = 'bench_order_effect';

/**
 * (c): a ReliableConsumer reads the topic from the beginning and, for each event, inserts an effect row
 * inside `withInbox` (one transaction per event with its inbox row; the offset is committed after it).
 * The clock runs from the first handler call to the last commit of an effect, so the one-off group join is
 * reported apart; an event's latency is its handler's: the inbox transaction with its effect.
 */
export async function inboxConsumerPhase(options: InboxConsumerOptions): Promise<InboxConsumerFigures> {
  const { dataSource, events } = options;
  await dataSource.query(
    `CREATE TABLE ${EFFECT_TABLE} (event_id uuid PRIMARY KEY, order_id text NOT NULL, total_minor bigint NOT NULL)`,
  );
  const latenciesMs = new Float64Array(events);
  let processed = 0;
  let duplicates = 0;
  let firstAt = Number.NaN;
  let lastAt = 0;
  const done = deferred();

  const consumer = new ReliableConsumer({
    kafka: options.kafka,
    groupId: options.groupId,
    topics: [options.topic],
    decoder: new AvroEventDecoder({ registry: options.registry }),
    fromBeginning: true,
    partitionsConsumedConcurrently: options.concurrency,
    handler: async (event) => {
      const began = performance.now();
      if (Number.isNaN(firstAt)) firstAt = began;
      const order = event.data as { orderId: string; totalAmountMinor: number };
      const result = await withInbox(dataSource, options.groupId, event.id, (manager) =>
        manager.query(`INSERT INTO ${EFFECT_TABLE} (event_id, order_id, total_minor) VALUES ($1, $2, $3)`, [
          event.id,
          order.orderId,
          order.totalAmountMinor,
        ]),
      );
      const now = performance.now();
      if (result.outcome === 'duplicate') {
        duplicates += 1;
        return;
      }
      if (processed < events) latenciesMs[processed] = now - began;
      processed += 1;
      lastAt = now;
      if (processed === events) done.resolve();
    },
  });
  options.onTopics([...consumer.tiers.map((tier) => tier.topic), consumer.dlqTopic]);

  // Records that fail never reach the handler; without this the phase would only end at its deadline.
  const watchdog = setInterval(() => {
    void failedRecords(options.groupId).then((failed) => {
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
  const [{ count }] = (await dataSource.query(`SELECT count(*)::int AS count FROM ${EFFECT_TABLE}`)) as [
    { count: number },
  ];
  return {
    events,
    elapsedMs: lastAt - firstAt,
    latenciesMs,
    joinMs: firstAt - started,
    effects: count,
    duplicates,
  };
}

/** Outcomes other than processed (or duplicate) of the group, as "outcome: count", or undefined when none. */
async function failedRecords(groupId: string): Promise<string | undefined> {
  const { values } = await metrics.messagesConsumed.get();
  const failed = values.filter(
    (v) =>
      v.labels.consumer_group === groupId &&
      v.labels.outcome !== 'processed' &&
      v.labels.outcome !== 'duplicate' &&
      v.value > 0,
  );
  return failed.length === 0
    ? undefined
    : failed.map((v) => `${String(v.labels.outcome)} ${v.value}`).join(', ');
}
