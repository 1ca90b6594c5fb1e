import { metrics } from '@tributary/observability';
import { backoffMs, type RelayEvent, type ResolvedRelayOptions } from './outbox-relay.options.js';
import { OutboxStore, toRecord, type Batch, type OutboxRow } from './outbox-store.js';
import type { RelayLease } from './relay-lease.js';
import type { RelaySignals } from './relay-signals.js';

export interface ShardPublisherContext {
  readonly shard: number;
  readonly lease: RelayLease;
  readonly table: string;
  readonly metricLabel: string;
  readonly options: ResolvedRelayOptions;
  readonly signals: RelaySignals;
  readonly emit: (event: RelayEvent) => void;
}

/** Ends the loop without counting as a failure: stop() or release(). */
class Ended extends Error {}

/**
 * Publishes one shard's rows in id order while its lock is held (docs/architecture.md#outbox). Rows are marked
 * published only after the sink resolved (acks=all); a crash between the two gives a duplicate. While batch N
 * is being sent, batch N+1 is read, so Kafka and Postgres work in parallel.
 *
 * `done` resolves once the publisher ended on stop() or release() with its batch in flight sent and marked,
 * and rejects when the session broke: then the shard's lock is gone with it.
 */
export class ShardPublisher {
  readonly #context: ShardPublisherContext;
  readonly #store: OutboxStore;
  #released = false;
  /** Set by NOTIFY so that a notification arriving while a batch is read is not missed. */
  #woken = true;
  readonly done: Promise<void>;

  constructor(context: ShardPublisherContext) {
    this.#context = context;
    const { options, shard } = context;
    this.#store = new OutboxStore(context.lease.session, context.table, options, {
      shard,
      shards: options.shards,
    });
    this.done = this.#run().catch((error: unknown) => {
      if (!(error instanceof Ended)) throw error;
    });
    // The relay awaits `done` later; an early rejection must not count as unhandled meanwhile.
    this.done.catch(() => undefined);
  }

  get shard(): number {
    return this.#context.shard;
  }

  notified(): void {
    this.#woken = true;
  }

  /** Ends after the batch in flight (send and mark), so the shard can be handed to another relay. */
  release(): void {
    this.#released = true;
    this.#context.signals.wake(this);
  }

  get #ending(): boolean {
    return this.#released || this.#context.signals.stopping;
  }

  async #run(): Promise<void> {
    const { options, signals } = this.#context;
    const store = this.#store;
    let sinkAttempt = 0;
    while (!this.#ending) {
      this.#throwIfBroken();
      this.#woken = false;
      let { rows: batch, more } = await store.fetch([]);
      if (batch.length === 0) {
        await this.#waitForWork(options.pollIntervalMs);
        continue;
      }
      // Marking batch N runs while batch N+1 travels: sending N+1 only has to wait for N's acknowledgement.
      let marking: Promise<void> = Promise.resolve();
      try {
        while (batch.length > 0) {
          // A relay that lost its session may hold a batch read before; it must not send it.
          this.#throwIfBroken();
          const startedAt = Date.now();
          const sending = options.sink.send(batch.map(toRecord));
          sending.catch(() => undefined);
          // Read the next batch while this one travels to Kafka. It excludes the rows in flight, which are
          // still unpublished. The session runs queries in order, so the previous batch's mark is applied
          // before this read.
          const next: Promise<Batch> =
            more && !this.#ending
              ? store.fetch(batch.map((row) => row.id))
              : Promise.resolve({ rows: [], more: false });
          next.catch(() => undefined);
          await marking.catch(async (error: unknown) => {
            // The session is gone. Let the send in flight settle, so this shard never has two.
            await sending.catch(() => undefined);
            throw error;
          });
          try {
            await sending;
          } catch (error) {
            await next.catch(() => undefined);
            const retryInMs = backoffMs(sinkAttempt++, options.retryInitialMs, options.retryMaxMs);
            this.#context.emit({ type: 'sink-failed', error, attempt: sinkAttempt, retryInMs });
            // The rows stay unpublished; the next pass reads them again from the first unpublished row. New
            // notifications do not shorten the pause: Kafka is the problem, not a lack of work.
            await signals.sleep(retryInMs, { notify: false, broken: true }, this);
            break;
          }
          sinkAttempt = 0;
          const acked = batch;
          const ackedAt = Date.now();
          marking = store
            .markPublished(acked.map((row) => row.id))
            .then(() => this.#observePublished(acked, startedAt, ackedAt));
          if (this.#ending) break;
          ({ rows: batch, more } = await next);
        }
      } finally {
        // stop() and release() finish the batch in flight: its mark is part of it.
        await marking;
      }
    }
  }

  #observePublished(batch: readonly OutboxRow[], startedAt: number, ackedAt: number): void {
    const label = { outbox: this.#context.metricLabel };
    for (const row of batch) {
      metrics.outboxPublishDuration.observe(label, Math.max(0, ackedAt - row.created_ms) / 1000);
    }
    this.#context.emit({
      type: 'published',
      shard: this.#context.shard,
      count: batch.length,
      firstId: batch[0]!.id,
      lastId: batch[batch.length - 1]!.id,
      durationMs: Date.now() - startedAt,
    });
  }

  #throwIfBroken(): void {
    const broken = this.#context.lease.broken;
    if (broken) throw broken;
  }

  /** Waits for a NOTIFY, the polling interval, stop(), release() or a broken session. */
  async #waitForWork(ms: number): Promise<void> {
    if (!this.#woken) await this.#context.signals.sleep(ms, { notify: true, broken: true }, this);
    if (this.#ending) throw new Ended();
    this.#throwIfBroken();
  }
}
