import type { EncodedRecord, RecordSink } from '@tributary/kafka';
import { KafkaEventProducer } from '@tributary/kafka';
import { Outbox, OutboxRelay } from '@tributary/persistence';
import type { RelayEvent } from '@tributary/persistence';
import { waitFor } from '@tributary/testkit';
import type { Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { deadlineMs, deferred, within } from './figures.js';
import type { Figures } from './figures.js';

export interface OutboxRelayOptions {
  readonly kafka: Kafka;
  /** Initialized and migrated; its pool needs a connection per writer. */
  readonly dataSource: DataSource;
  /** Records whose topic is the bench's outbox topic; event ids must be new to this outbox. */
  readonly records: readonly EncodedRecord[];
  readonly batch: number;
  readonly writers: number;
  readonly transactionSize: number;
}

/** Where the relay's time went, from its own `published` notifications and the sink's clock. */
export interface RelayBreakdown {
  readonly batches: number;
  /** Sum over batches of send + mark (the relay's `durationMs`); the next read overlaps the send. */
  readonly busyMs: number;
  /** Sum of sink.send durations: produce requests until acks=all. */
  readonly sendMs: number;
  readonly firstAckAt: number;
}

export interface OutboxRelayFigures {
  /** (b): commit → acknowledged by Kafka, events until the last acknowledgement. */
  readonly published: Figures;
  /** The writers alone: commit rate and transaction duration, against the raw pg ceiling. */
  readonly writes: Figures;
  readonly relay: RelayBreakdown;
}

/**
 * (b): writers commit records to the outbox in concurrent transactions while an OutboxRelay publishes them
 * through KafkaEventProducer. The clock starts before the first transaction and stops at the last
 * acknowledgement; an event's latency runs from its transaction's commit to the ack of its batch, so it
 * includes the time it waited in the outbox behind earlier rows.
 */
export async function outboxRelayPhase(options: OutboxRelayOptions): Promise<OutboxRelayFigures> {
  const { records } = options;
  const indexOf = new Map(records.map((r, i) => [r.eventId, i]));
  const committedAt = new Float64Array(records.length);
  const ackedAt = new Float64Array(records.length);
  const txLatencies = new Float64Array(records.length);
  let acked = 0;
  let sendMs = 0;
  let firstAckAt = Number.NaN;
  const allAcked = deferred();

  const producer = new KafkaEventProducer(options.kafka);
  // Records acknowledgements as the relay sees them: after sink.send resolves, before the relay marks rows.
  const sink: RecordSink = {
    async send(batch) {
      const started = performance.now();
      await producer.send(batch);
      const now = performance.now();
      sendMs += now - started;
      if (Number.isNaN(firstAckAt)) firstAckAt = now;
      for (const record of batch) {
        const i = indexOf.get(record.eventId);
        // A resend after a failure must not count twice; the first ack is when the event was out.
        if (i === undefined || ackedAt[i]! > 0) continue;
        ackedAt[i] = now;
        acked += 1;
      }
      if (acked === records.length) allAcked.resolve();
    },
  };
  let batches = 0;
  let busyMs = 0;
  const failures: string[] = [];
  const onEvent = (event: RelayEvent) => {
    if (event.type === 'published') {
      batches += 1;
      busyMs += event.durationMs;
    } else if (event.type === 'sink-failed' || event.type === 'connection-lost') {
      failures.push(
        `${event.type}: ${event.error instanceof Error ? event.error.message : String(event.error)}`,
      );
    }
  };
  const relay = new OutboxRelay({
    dataSource: options.dataSource,
    sink,
    batchSize: options.batch,
    onEvent,
  });

  await producer.connect();
  relay.start();
  try {
    await waitFor(() => relay.active, { timeoutMs: 30_000, message: 'the outbox relay holds its lock' });

    const outbox = new Outbox();
    let next = 0;
    const started = performance.now();
    let lastCommit = started;
    const writer = async () => {
      for (;;) {
        const from = next;
        if (from >= records.length) return;
        const to = Math.min(records.length, from + options.transactionSize);
        next = to;
        const began = performance.now();
        await options.dataSource.transaction((manager) => outbox.add(manager, records.slice(from, to)));
        const now = performance.now();
        committedAt.fill(now, from, to);
        txLatencies.fill(now - began, from, to);
        lastCommit = Math.max(lastCommit, now);
      }
    };
    await Promise.all(Array.from({ length: options.writers }, writer));
    try {
      await within(allAcked.promise, deadlineMs(records.length), `publishing ${records.length} outbox rows`);
    } catch (error) {
      throw new Error(
        `${(error as Error).message}: ${acked} acknowledged${failures.length ? `; relay: ${failures.slice(-3).join('; ')}` : ''}`,
        { cause: error },
      );
    }

    let lastAck = 0;
    const latenciesMs = new Float64Array(records.length);
    for (let i = 0; i < records.length; i++) {
      lastAck = Math.max(lastAck, ackedAt[i]!);
      // The ack can reach the relay before the writer's COMMIT reply reaches the writer: count that as 0.
      latenciesMs[i] = Math.max(0, ackedAt[i]! - committedAt[i]!);
    }
    return {
      published: { events: records.length, elapsedMs: lastAck - started, latenciesMs },
      writes: { events: records.length, elapsedMs: lastCommit - started, latenciesMs: txLatencies },
      relay: { batches, busyMs, sendMs, firstAckAt: firstAckAt - started },
    };
  } finally {
    await relay.stop();
    await producer.disconnect();
  }
}
