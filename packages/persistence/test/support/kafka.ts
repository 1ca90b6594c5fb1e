import { Kafka, logLevel, type Producer } from 'kafkajs';
import type { EncodedRecord, RecordSink } from '@tributary/kafka';
import { parseLabel } from './records.js';

export function kafkaClient(brokers: string, clientId: string): Kafka {
  return new Kafka({ clientId, brokers: brokers.split(','), logLevel: logLevel.NOTHING });
}

/** Creates topics explicitly (the broker's auto-creation would pick its own partition count). */
export async function createTopics(
  kafka: Kafka,
  topics: readonly string[],
  numPartitions = 3,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: topics.map((topic) => ({ topic, numPartitions, replicationFactor: 1 })),
    });
  } finally {
    await admin.disconnect();
  }
}

export async function deleteTopics(kafka: Kafka, topics: readonly string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [...topics] }).catch(() => undefined);
  await admin.disconnect();
}

/**
 * The test stand-in for @tributary/kafka's producer (built elsewhere): a kafkajs idempotent producer with
 * acks=all and one request in flight, the settings of docs/architecture.md#exactly-once.
 */
export class KafkajsSink implements RecordSink {
  readonly producer: Producer;

  constructor(kafka: Kafka) {
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }

  async send(records: readonly EncodedRecord[]): Promise<void> {
    const byTopic = new Map<string, { key: string; value: Buffer; headers: Record<string, string> }[]>();
    for (const record of records) {
      const messages = byTopic.get(record.topic) ?? [];
      messages.push({ key: record.key, value: record.value, headers: { ...record.headers } });
      byTopic.set(record.topic, messages);
    }
    await this.producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
  }
}

export interface Received {
  readonly topic: string;
  readonly partition: number;
  readonly key: string;
  readonly seq: number;
  readonly eventId: string;
  readonly headers: Record<string, string>;
}

/**
 * Reads `topics` from the beginning, handing each record to `onRecord` (in partition order), until `done`
 * says enough. Returns everything received, in arrival order.
 */
export async function consumeUntil(
  kafka: Kafka,
  topics: readonly string[],
  done: (received: readonly Received[]) => boolean,
  onRecord: (record: Received) => Promise<void> = async () => undefined,
  timeoutMs = 90_000,
): Promise<Received[]> {
  const consumer = kafka.consumer({ groupId: `verify-${Math.random().toString(36).slice(2)}` });
  const received: Received[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [...topics], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`consumed ${received.length} records before the deadline`)),
        timeoutMs,
      );
      consumer
        .run({
          eachMessage: async ({ topic, partition, message }) => {
            const headers = Object.fromEntries(
              Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)]),
            );
            const record: Received = {
              topic,
              partition,
              ...parseLabel(message.value!),
              eventId: headers['ce_id'] ?? '',
              headers,
            };
            await onRecord(record);
            received.push(record);
            if (done(received)) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return received;
}
