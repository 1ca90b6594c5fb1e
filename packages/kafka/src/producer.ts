import type { DomainEvent } from '@tributary/contracts';
import { metrics } from '@tributary/observability';
import { Partitioners } from 'kafkajs';
import type { Kafka, Message, Producer, RecordMetadata } from 'kafkajs';
import type { EncodedRecord, EventEncoder, RecordSink } from './records.js';

export interface EventProducerOptions {
  /** Needed by `publish`; `send` takes records that are already encoded. */
  encoder?: EventEncoder;
  /** Per produce request, before kafkajs retries it. */
  requestTimeoutMs?: number;
}

/**
 * The platform's producer (docs/architecture.md#outbox): acks=all, so an acknowledged record survives the
 * loss of a broker, one request in flight per broker, and **not** kafkajs' idempotent mode. kafkajs rolls a
 * failed request's sequence numbers back and rebuilds the retry; when the failure was ambiguous (the broker
 * appended the batch, then the connection closed — a broker stopping), another send on the same producer
 * (a second relay shard, a retry-tier forward) takes those sequence numbers, the broker answers it as a
 * duplicate of the batch it holds, and its records are acknowledged without being written: lost. Without
 * idempotence an ambiguous failure can only write a copy, which every inbox absorbs (same event id). Order per
 * key holds: a relay shard sends one batch at a time, and concurrent sends never share a key.
 * Product code does not produce directly; it writes to the outbox, and the relay sends through this class.
 */
export class KafkaEventProducer implements RecordSink {
  private readonly producer: Producer;
  private connected: Promise<void> | undefined;

  constructor(
    kafka: Kafka,
    private readonly options: EventProducerOptions = {},
  ) {
    this.producer = kafka.producer({
      idempotent: false,
      maxInFlightRequests: 1,
      // Topics are created deliberately (ensureTopics), never by a typo in a producer.
      allowAutoTopicCreation: false,
      // Java's murmur2 partitioner: the same key lands on the same partition as with Java or Connect producers.
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  /** Idempotent; `send` and `publish` connect on first use. */
  connect(): Promise<void> {
    this.connected ??= this.producer.connect().catch((error: unknown) => {
      this.connected = undefined;
      throw error;
    });
    return this.connected;
  }

  async disconnect(): Promise<void> {
    if (!this.connected) return;
    this.connected = undefined;
    await this.producer.disconnect();
  }

  /**
   * Sends records in one batch and resolves when all are acknowledged. Order is kept per topic (and so per
   * partition); a rejection means some records may have been written, which the consumers' inbox absorbs.
   */
  async send(records: readonly EncodedRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.sendMessages(
      records.map((r) => ({
        topic: r.topic,
        message: { key: r.key, value: r.value, headers: { ...r.headers } },
      })),
    );
  }

  /** Encode and send one event, for code that legitimately produces directly (the relay, tests). */
  async publish(event: DomainEvent): Promise<EncodedRecord> {
    if (!this.options.encoder) throw new Error('KafkaEventProducer.publish needs an encoder');
    const record = await this.options.encoder.encode(event);
    await this.send([record]);
    return record;
  }

  /** Lower level: raw kafkajs messages, for forwarding records byte for byte (retry tiers, DLQ). */
  async sendMessages(items: readonly { topic: string; message: Message }[]): Promise<RecordMetadata[]> {
    await this.connect();
    const byTopic = new Map<string, Message[]>();
    for (const { topic, message } of items) {
      const messages = byTopic.get(topic);
      if (messages) messages.push(message);
      else byTopic.set(topic, [message]);
    }
    const acknowledged = await this.producer.sendBatch({
      acks: -1,
      ...(this.options.requestTimeoutMs !== undefined ? { timeout: this.options.requestTimeoutMs } : {}),
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
    for (const [topic, messages] of byTopic) metrics.messagesPublished.inc({ topic }, messages.length);
    return acknowledged;
  }
}
