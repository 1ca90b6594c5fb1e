import type { EncodedRecord, RecordSink } from '@tributary/kafka';
import { KafkaEventProducer } from '@tributary/kafka';
import { OutboxRelay } from '@tributary/persistence';
import type { RelayEvent } from '@tributary/persistence';
import { waitFor } from '@tributary/testkit';
import type { Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { deadlineMs, deferred, within } from './figures.js';
import type { Figures } from './figures.js';
import { epochNow } from './outbox-writers.js';
import type { OutboxWriters, WriterResults } from './outbox-writers.js';

export interface OutboxRelayOptions {
  readonly kafka: Kafka;
  /** Initialized and migrated: the relay's. */
  readonly dataSource: DataSource;
  /** Ready to write `records` into the same outbox; started (and stopped) by the caller, off the clock. */
  readonly writers: OutboxWriters;
  /** Records whose topic is the phase's topic; event ids must be new to this outbox. */
  readonly records: readonly EncodedRecord[];
  readonly batch: number;
  readonly batchBytes: number;
  /**
   * `concurrent`: the relay publishes while the writers commit — the platform as it runs.
   * `backlog`: the writers fill the outbox first, then the relay drains it alone — the relay's own ceiling.
   */
  readonly mode: 'concurrent' | 'backlog';
  /** The outbox's relay shards (default 1) and the relay instances sharing them, each its own session and
   * an even part of the shards (default 1): parallel publication as one replica or several would run it. */
  readonly shards?: number;
  readonly relays?: number;
}

/** What the relay did with its time, seen from the sink: the relay's own events overlap when it pipelines. */
export interface RelayBreakdown {
  readonly batches: number;
  readonly largestBatch: number;
  /** Sum of sink.send durations (produce until acks=all). Sends overlap only with several shards. */
  readonly sendMs: number;
  /** From the first send's start to the last ack: `sendMs` plus the gaps the relay left between sends. */
  readonly sendingSpanMs: number;
  /** From the clock's start to the first send: the relay's first read (and, concurrently, the first commit). */
  readonly firstSendAtMs: number;
  /** First acknowledgements of a key that came before an earlier record of that key's: must be 0. */
  readonly outOfOrder: number;
}

export interface OutboxRelayFigures {
  /** Events until the last acknowledgement; latency commit → ack (concurrent) or relay start → ack (backlog). */
  readonly published: Figures;
  /** The writers: commit rate and transaction duration, against the raw pg ceiling. */
  readonly writes: Figures;
  readonly relay: RelayBreakdown;
  readonly mode: OutboxRelayOptions['mode'];
}

/**
 * (b) and (b'): writers commit records to the outbox in concurrent transactions and an OutboxRelay publishes
 * them through KafkaEventProducer. In `concurrent` mode the clock starts before the first transaction and an
 * event's latency runs from its transaction's commit to the ack of its batch, so it includes the time the
 * event waited in the outbox behind earlier rows. In `backlog` mode the clock starts when the relay starts.
 * The relay and its producer run on this thread, like (a); where the writers run is the caller's choice.
 */
export async function outboxRelayPhase(options: OutboxRelayOptions): Promise<OutboxRelayFigures> {
  const { records } = options;
  const indexOf = new Map(records.map((r, i) => [r.eventId, i]));
  const ackedAt = new Float64Array(records.length);
  let acked = 0;
  let batches = 0;
  let largestBatch = 0;
  let sendMs = 0;
  let firstSendAt = Number.NaN;
  let outOfOrder = 0;
  const lastAckedOfKey = new Map<string, number>();
  const allAcked = deferred();

  // A producer per relay, as each replica has its own: one producer sends one request at a time.
  const shards = options.shards ?? 1;
  const relayCount = options.relays ?? 1;
  const producers = Array.from({ length: relayCount }, () => new KafkaEventProducer(options.kafka));
  // Stamps acknowledgements as the relay sees them: after sink.send resolves, before the relay marks rows.
  const sinkOf = (producer: KafkaEventProducer): RecordSink => ({
    async send(batch) {
      const started = epochNow();
      if (Number.isNaN(firstSendAt)) firstSendAt = started;
      await producer.send(batch);
      const now = epochNow();
      sendMs += now - started;
      batches += 1;
      largestBatch = Math.max(largestBatch, batch.length);
      for (const record of batch) {
        const i = indexOf.get(record.eventId);
        // A resend after a failure must not count twice; the first ack is when the event was out.
        if (i === undefined || ackedAt[i]! > 0) continue;
        ackedAt[i] = now;
        acked += 1;
        // A key's records are in `records` order; its first acknowledgements must follow that order.
        if ((lastAckedOfKey.get(record.key) ?? -1) > i) outOfOrder += 1;
        else lastAckedOfKey.set(record.key, i);
      }
      if (acked === records.length) allAcked.resolve();
    },
  });
  const failures: string[] = [];
  const onEvent = (event: RelayEvent) => {
    if (event.type === 'sink-failed' || event.type === 'connection-lost') {
      failures.push(
        `${event.type}: ${event.error instanceof Error ? event.error.message : String(event.error)}`,
      );
    }
  };
  const relays = producers.map(
    (producer) =>
      new OutboxRelay({
        dataSource: options.dataSource,
        sink: sinkOf(producer),
        batchSize: options.batch,
        maxBatchBytes: options.batchBytes,
        shards,
        maxShards: Math.ceil(shards / relayCount),
        onEvent,
      }),
  );

  const { writers } = options;
  let relayStarted = false;
  try {
    await Promise.all(producers.map((producer) => producer.connect()));
    let written: WriterResults | undefined;
    if (options.mode === 'backlog') written = await writers.run();
    let clockStart = epochNow();
    for (const relay of relays) relay.start();
    relayStarted = true;
    if (options.mode === 'concurrent') {
      await waitFor(() => relays.every((relay) => relay.active), {
        timeoutMs: 30_000,
        message: 'the outbox relays hold their shards',
      });
      clockStart = epochNow();
      written = await writers.run();
    }
    try {
      await within(allAcked.promise, deadlineMs(records.length), `publishing ${records.length} outbox rows`);
    } catch (error) {
      const relayNotes = failures.length ? `; relay: ${failures.slice(-3).join('; ')}` : '';
      throw new Error(`${(error as Error).message}: ${acked} acknowledged${relayNotes}`, { cause: error });
    }
    const { committedAt, transactionMs, startedAt, finishedAt } = written!;

    let lastAck = 0;
    const latenciesMs = new Float64Array(records.length);
    for (let i = 0; i < records.length; i++) {
      lastAck = Math.max(lastAck, ackedAt[i]!);
      const from = options.mode === 'concurrent' ? committedAt[i]! : clockStart;
      // The ack can reach the relay before the writer's COMMIT reply reaches the writer: count that as 0.
      latenciesMs[i] = Math.max(0, ackedAt[i]! - from);
    }
    return {
      mode: options.mode,
      published: { events: records.length, elapsedMs: lastAck - clockStart, latenciesMs },
      writes: { events: records.length, elapsedMs: finishedAt - startedAt, latenciesMs: transactionMs },
      relay: {
        batches,
        largestBatch,
        sendMs,
        sendingSpanMs: lastAck - firstSendAt,
        firstSendAtMs: firstSendAt - clockStart,
        outOfOrder,
      },
    };
  } finally {
    if (relayStarted) await Promise.all(relays.map((relay) => relay.stop()));
    await Promise.all(producers.map((producer) => producer.disconnect()));
  }
}
