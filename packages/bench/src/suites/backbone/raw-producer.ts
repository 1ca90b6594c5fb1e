import type { EncodedRecord } from '@tributary/kafka';
import { Partitioners } from 'kafkajs';
import type { Kafka, Producer } from 'kafkajs';
import { batchEnds } from './batching.js';
import type { Figures } from './figures.js';

export interface RawProducerOptions {
  readonly kafka: Kafka;
  readonly topic: string;
  readonly records: readonly EncodedRecord[];
  readonly batch: number;
  /** The relay's maxBatchBytes, so batches are cut where the relay would cut them. */
  readonly batchBytes: number;
  /** Records sent untimed before the clock starts. */
  readonly warmup: number;
}

/**
 * (a): kafkajs with the platform's producer settings and nothing else — not idempotent, one request in flight,
 * acks=all, Java's partitioner — sending batches cut like the relay's (records and bytes), one after the
 * other, as the relay does. Latency of a record: from its batch's send to the acknowledgement.
 */
export async function rawProducerPhase(options: RawProducerOptions): Promise<Figures> {
  const producer = options.kafka.producer({
    idempotent: false,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  try {
    const warmup = options.records.slice(0, options.warmup);
    let from = 0;
    for (const end of batchEnds(warmup, options.batch, options.batchBytes)) {
      await send(producer, options.topic, warmup.slice(from, end));
      from = end;
    }

    const { records } = options;
    const latenciesMs = new Float64Array(records.length);
    const ends = batchEnds(records, options.batch, options.batchBytes);
    const started = performance.now();
    from = 0;
    for (const end of ends) {
      const sentAt = performance.now();
      await send(producer, options.topic, records.slice(from, end));
      latenciesMs.fill(performance.now() - sentAt, from, end);
      from = end;
    }
    return { events: records.length, elapsedMs: performance.now() - started, latenciesMs };
  } finally {
    await producer.disconnect();
  }
}

function send(producer: Producer, topic: string, records: readonly EncodedRecord[]) {
  // Messages are built per batch, inside the clock, as KafkaEventProducer.send does for the relay.
  return producer.sendBatch({
    acks: -1,
    topicMessages: [
      { topic, messages: records.map((r) => ({ key: r.key, value: r.value, headers: { ...r.headers } })) },
    ],
  });
}
