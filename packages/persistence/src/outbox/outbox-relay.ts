import { metrics } from '@tributary/observability';
import { pgConfigOf, schemaOf } from '../data-source.js';
import { namesFor, type OutboxNames } from '../names.js';
import { OutboxHousekeeping } from './outbox-housekeeping.js';
import {
  backoffMs,
  resolveRelayOptions,
  type OutboxRelayOptions,
  type RelayEvent,
  type ResolvedRelayOptions,
} from './outbox-relay.options.js';
import { OutboxStore, toRecord, type Batch, type OutboxRow } from './outbox-store.js';
import { RelayLease } from './relay-lease.js';

interface WakeOn {
  readonly notify: boolean;
  readonly broken: boolean;
}

/** Aborts the active phase without counting as a failure: stop() was called. */
class Stopped extends Error {}

/**
 * Publishes outbox rows to a RecordSink in id order (docs/architecture.md#exactly-once).
 *
 * One relay per outbox is active: it holds a session-level advisory lock on a dedicated connection, and
 * every read and mark of the outbox goes through that same connection. If the connection dies, the lock is
 * released and this relay can no longer read or mark anything, so a standby that takes over never races a
 * half-dead predecessor on the database. What can still be in flight is one sink.send; the new relay resends
 * from the first unpublished row, so the first copy of every row still arrives in id order — duplicates,
 * never losses or reorderings (the inbox makes duplicates harmless).
 *
 * Rows are marked published only after the sink resolved (acks=all); a crash between the two gives a
 * duplicate. While batch N is being sent, batch N+1 is read, so Kafka and Postgres work in parallel.
 */
export class OutboxRelay {
  readonly #options: ResolvedRelayOptions;
  #names: OutboxNames | undefined;
  #running: Promise<void> | undefined;
  #stopping = false;
  #stopped: Promise<void> | undefined;
  #active = false;
  /** Set by NOTIFY so that a notification arriving while a batch is read is not missed. */
  #woken = false;
  #waiter: { readonly resolve: () => void; readonly wakeOn: WakeOn } | undefined;
  /** The session of the current attempt: the lock once it is taken, every read and mark while active. */
  #lease: RelayLease | undefined;
  #housekeeping: OutboxHousekeeping | undefined;

  constructor(options: OutboxRelayOptions) {
    this.#options = resolveRelayOptions(options);
  }

  /** True while this relay holds the lock and publishes. */
  get active(): boolean {
    return this.#active;
  }

  /** Starts competing for the lock and, once it holds it, publishing. Returns at once. */
  start(): void {
    if (this.#running) return;
    const names = namesFor(schemaOf(this.#options.dataSource));
    this.#names = names;
    const options = this.#options;
    this.#housekeeping = new OutboxHousekeeping({
      dataSource: options.dataSource,
      table: names.outboxTable,
      metricLabel: names.metricLabel,
      metricsIntervalMs: options.metricsIntervalMs,
      retentionMs: options.retentionMs,
      cleanupIntervalMs: options.cleanupIntervalMs,
      cleanupBatchSize: options.cleanupBatchSize,
      isActive: () => this.#active,
      emit: (event) => this.#emit(event),
    });
    this.#running = this.#run();
    this.#housekeeping.start();
  }

  /** Finishes the batch in flight (send and mark), releases the lock and closes the connection. */
  stop(): Promise<void> {
    this.#stopped ??= this.#stop();
    return this.#stopped;
  }

  async #stop(): Promise<void> {
    if (!this.#running) return;
    this.#stopping = true;
    this.#waiter?.resolve();
    const housekeepingStopped = this.#housekeeping!.stop();
    // A standby blocked in pg_advisory_lock only returns when its connection closes. Closing an active
    // relay's connection here would abandon its batch, so only the waiting one is cut.
    if (!this.#active) await this.#lease?.close();
    await this.#running;
    await housekeepingStopped;
    const label = { outbox: this.#names!.metricLabel };
    metrics.outboxRelayActive.set(label, 0);
    this.#emit({ type: 'stopped' });
  }

  async #run(): Promise<void> {
    let attempt = 0;
    while (!this.#stopping) {
      let lease: RelayLease | undefined;
      try {
        lease = await this.#connect();
        this.#emit({ type: 'standby' });
        await lease.lock();
        if (this.#stopping) break;
        await lease.listen();
        this.#setActive(true);
        attempt = 0;
        await this.#publishWhileActive(lease);
      } catch (error) {
        if (this.#stopping || error instanceof Stopped) break;
        this.#setActive(false);
        await lease?.close();
        const retryInMs = backoffMs(attempt++, this.#options.retryInitialMs, this.#options.retryMaxMs);
        this.#emit({ type: 'connection-lost', error, attempt, retryInMs });
        // Only stop() shortens this pause: events of the connection just closed must not.
        await this.#sleep(retryInMs, { notify: false, broken: false });
      } finally {
        this.#setActive(false);
        // Ending the session releases the advisory lock for a standby.
        await lease?.close();
      }
    }
  }

  async #connect(): Promise<RelayLease> {
    const names = this.#names!;
    // Events of an earlier, abandoned session must not disturb the current one.
    const lease: RelayLease = new RelayLease(
      { ...pgConfigOf(this.#options.dataSource), application_name: this.#options.applicationName },
      { lockName: names.relayLockName, channel: names.channel },
      {
        broken: () => this.#lease === lease && this.#breakConnection(),
        notified: () => this.#lease === lease && this.#notified(),
      },
    );
    this.#lease = lease;
    await lease.connect();
    return lease;
  }

  async #publishWhileActive(lease: RelayLease): Promise<void> {
    const store = new OutboxStore(lease.client, this.#names!.outboxTable, this.#options);
    let sinkAttempt = 0;
    while (!this.#stopping) {
      this.#throwIfBroken();
      this.#woken = false;
      let { rows: batch, more } = await store.fetch([]);
      if (batch.length === 0) {
        await this.#waitForWork(this.#options.pollIntervalMs);
        continue;
      }
      // Marking batch N runs while batch N+1 travels: sending N+1 only has to wait for N's acknowledgement.
      let marking: Promise<void> = Promise.resolve();
      try {
        while (batch.length > 0) {
          // A relay that lost its session may hold a batch read before; it must not send it.
          this.#throwIfBroken();
          const startedAt = Date.now();
          const sending = this.#options.sink.send(batch.map(toRecord));
          sending.catch(() => undefined);
          // Read the next batch while this one travels to Kafka. It excludes the rows in flight, which are
          // still unpublished. The connection runs queries in order, so the previous batch's mark is applied
          // before this read.
          const next: Promise<Batch> =
            more && !this.#stopping
              ? store.fetch(batch.map((row) => row.id))
              : Promise.resolve({ rows: [], more: false });
          next.catch(() => undefined);
          await marking.catch(async (error: unknown) => {
            // The connection is gone. Let the send in flight settle, so this relay never has two.
            await sending.catch(() => undefined);
            throw error;
          });
          try {
            await sending;
          } catch (error) {
            await next.catch(() => undefined);
            const retryInMs = backoffMs(
              sinkAttempt++,
              this.#options.retryInitialMs,
              this.#options.retryMaxMs,
            );
            this.#emit({ type: 'sink-failed', error, attempt: sinkAttempt, retryInMs });
            // The rows stay unpublished; the next pass reads them again from the first unpublished row. New
            // notifications do not shorten the pause: Kafka is the problem, not a lack of work.
            await this.#sleep(retryInMs, { notify: false, broken: true });
            break;
          }
          sinkAttempt = 0;
          const acked = batch;
          const ackedAt = Date.now();
          marking = store
            .markPublished(acked.map((row) => row.id))
            .then(() => this.#observePublished(acked, startedAt, ackedAt));
          if (this.#stopping) break;
          ({ rows: batch, more } = await next);
        }
      } finally {
        // stop() finishes the batch in flight: its mark is part of it.
        await marking;
      }
    }
  }

  #observePublished(batch: readonly OutboxRow[], startedAt: number, ackedAt: number): void {
    const label = { outbox: this.#names!.metricLabel };
    for (const row of batch) {
      metrics.outboxPublishDuration.observe(label, Math.max(0, ackedAt - row.created_ms) / 1000);
    }
    this.#emit({
      type: 'published',
      count: batch.length,
      firstId: batch[0]!.id,
      lastId: batch[batch.length - 1]!.id,
      durationMs: Date.now() - startedAt,
    });
  }

  #setActive(active: boolean): void {
    if (this.#active === active) return;
    this.#active = active;
    metrics.outboxRelayActive.set({ outbox: this.#names!.metricLabel }, active ? 1 : 0);
    if (active) this.#emit({ type: 'active' });
  }

  #breakConnection(): void {
    // The lock went with the session: say so now, even while a send is still in flight.
    this.#setActive(false);
    if (this.#waiter?.wakeOn.broken) this.#waiter.resolve();
  }

  #throwIfBroken(): void {
    const broken = this.#lease?.broken;
    if (broken) throw broken;
  }

  #notified(): void {
    this.#woken = true;
    if (this.#waiter?.wakeOn.notify) this.#waiter.resolve();
  }

  /** Waits for a NOTIFY, the polling interval, stop() or a broken connection, whichever comes first. */
  async #waitForWork(ms: number): Promise<void> {
    if (!this.#woken) await this.#sleep(ms, { notify: true, broken: true });
    if (this.#stopping) throw new Stopped();
    this.#throwIfBroken();
  }

  /** A sleep that stop() cuts short, and as asked a NOTIFY or a broken connection. */
  #sleep(ms: number, wakeOn: WakeOn): Promise<void> {
    if (this.#stopping || (wakeOn.broken && this.#lease?.broken)) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (this.#waiter === waiter) this.#waiter = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      const waiter = { resolve: done, wakeOn };
      this.#waiter = waiter;
    });
  }

  #emit(event: RelayEvent): void {
    try {
      this.#options.onEvent?.(event);
    } catch {
      // Observers must not be able to stop the relay.
    }
  }
}
