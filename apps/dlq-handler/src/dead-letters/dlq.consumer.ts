import type { Consumer, EachMessagePayload, Kafka } from 'kafkajs';
import type { Logger } from '@tributary/kafka';
import type { ConsumedDlqRecord } from './domain/dead-letter.js';
import { DLQ_TOPIC_PATTERN, hasNewTopics, topicsToRead } from './domain/dlq-topics.js';
import type { ConsumedResolution } from './domain/resolution.js';

/** What the consumer hands each record to. Throwing leaves the record uncommitted: it is read again. */
export interface DlqRecordHandler {
  onDeadLetter(record: ConsumedDlqRecord): Promise<void>;
  onResolution(record: ConsumedResolution): Promise<void>;
}

export interface DlqConsumerOptions {
  readonly kafka: Kafka;
  readonly groupId: string;
  readonly handler: DlqRecordHandler;
  readonly logger: Logger;
  /** How often the topic list is read for new `<group>.dlq` topics. */
  readonly refreshMs: number;
  readonly sessionTimeoutMs?: number;
  readonly partitionsConsumedConcurrently?: number;
}

/**
 * Reads every `<group>.dlq` (and `<group>.dlq.resolved`) topic with its own consumer group.
 *
 * kafkajs matches a subscription pattern against the topics that exist when `subscribe` runs and never
 * again (metadata refreshes do not widen a running subscription). So the pattern is applied here instead:
 * the topic list is read every `refreshMs`, and when a matching topic appears the consumer is stopped and a
 * new one subscribes to the whole current list. The group's committed offsets carry over, a new topic is
 * read from its beginning, and a record being handled when the restart happens is committed or read again:
 * storing is idempotent, so both are fine.
 */
export class DlqConsumer {
  private consumer: Consumer | undefined;
  private topics: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private stopped = false;
  /** Set when kafkajs gave up on the consumer (a crash it does not restart): the next refresh starts anew. */
  private dead = false;

  constructor(private readonly options: DlqConsumerOptions) {}

  /** The topics the running consumer is subscribed to. */
  get subscribed(): readonly string[] {
    return this.topics;
  }

  async start(): Promise<void> {
    await this.serialized(() => this.refresh());
    this.timer = setInterval(() => {
      void this.serialized(() => this.refresh()).catch((error: unknown) =>
        this.options.logger.warn({ err: error }, 'DLQ topic refresh failed; trying again later'),
      );
    }, this.options.refreshMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.serialized(async () => {
      await this.consumer?.disconnect();
      this.consumer = undefined;
    });
  }

  private serialized(step: () => Promise<void>): Promise<void> {
    const next = this.chain.then(step, step);
    this.chain = next.catch(() => {});
    return next;
  }

  private async refresh(): Promise<void> {
    if (this.stopped) return;
    const admin = this.options.kafka.admin();
    await admin.connect();
    let next: string[];
    try {
      next = topicsToRead(await admin.listTopics());
    } finally {
      await admin.disconnect().catch(() => {});
    }
    if (this.consumer && !this.dead && !hasNewTopics(this.topics, next)) return;
    if (next.length === 0) return;
    if (this.consumer && !this.dead) {
      this.options.logger.info(
        { added: next.filter((t) => !this.topics.includes(t)) },
        'new DLQ topics: re-subscribing',
      );
    }
    await this.consumer
      ?.disconnect()
      .catch((error: unknown) => this.options.logger.warn({ err: error }, 'DLQ consumer disconnect failed'));
    this.consumer = undefined;
    this.dead = false;
    await this.run(next);
  }

  private async run(topics: string[]): Promise<void> {
    const consumer = this.options.kafka.consumer({
      groupId: this.options.groupId,
      sessionTimeout: this.options.sessionTimeoutMs ?? 30_000,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 500,
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.options.logger.error({ err: payload.error, restart: payload.restart }, 'DLQ consumer crashed');
      if (!payload.restart) this.dead = true;
    });
    try {
      await consumer.connect();
      // A DLQ seen for the first time is read from its start: its records were written before we knew it.
      await consumer.subscribe({ topics, fromBeginning: true });
      await consumer.run({
        partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 3,
        eachMessage: (payload) => this.onMessage(payload),
      });
    } catch (error) {
      await consumer.disconnect().catch(() => {});
      throw error;
    }
    this.consumer = consumer;
    this.topics = topics;
    this.options.logger.info({ topics: topics.length }, 'reading DLQ topics');
  }

  private async onMessage({ topic, partition, message }: EachMessagePayload): Promise<void> {
    if (DLQ_TOPIC_PATTERN.test(topic)) {
      await this.options.handler.onDeadLetter({
        topic,
        partition,
        offset: message.offset,
        timestamp: message.timestamp,
        key: message.key,
        value: message.value,
        ...(message.headers ? { headers: message.headers } : {}),
      });
    } else {
      await this.options.handler.onResolution({
        topic,
        key: message.key,
        value: message.value,
        ...(message.headers ? { headers: message.headers } : {}),
      });
    }
  }
}
