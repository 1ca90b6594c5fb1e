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
import { RelayLease } from './relay-lease.js';
import { fairShare, shardOfKeySql, shardsToRelease } from './relay-shards.js';
import { RelaySignals } from './relay-signals.js';
import { ShardPublisher } from './shard-publisher.js';

/**
 * Publishes outbox rows to a RecordSink, each shard in id order (docs/architecture.md#outbox).
 *
 * The rows are split into `shards` shards by a hash of their Kafka key; each shard has at most one publishing
 * relay, which holds the shard's session-level advisory lock on the relay's own connection, and every read
 * and mark goes through that same connection. If the connection dies, its locks are released and this relay
 * can no longer read or mark anything, so the relay that takes a shard over never races a half-dead
 * predecessor on the database. What can still be in flight is one sink.send per shard; the new holder resends
 * from the shard's first unpublished row, so the first copy of every row still arrives in the key's order —
 * duplicates, never losses or reorderings (the inbox makes duplicates harmless).
 *
 * Every relay competes for every shard: alone it holds them all; with N relays of the same layout each
 * claims free shards up to its fair share, ceil(shards / N) (and `maxShards`), and gives back shards above
 * it, so N replicas spread the shards within a few claim intervals.
 */
export class OutboxRelay {
  readonly #options: ResolvedRelayOptions;
  #names: OutboxNames | undefined;
  #running: Promise<void> | undefined;
  #stopped: Promise<void> | undefined;
  #active = false;
  readonly #signals: RelaySignals;
  /** The session of the current attempt: the shard locks once taken, every read and mark while held. */
  #lease: RelayLease | undefined;
  readonly #publishers = new Map<number, ShardPublisher>();
  /** Why a publisher ended while its session lived (a failed query): the relay starts over. */
  #publisherFailure: unknown;
  #housekeeping: OutboxHousekeeping | undefined;

  constructor(options: OutboxRelayOptions) {
    this.#options = resolveRelayOptions(options);
    this.#signals = new RelaySignals(() => this.#lease?.broken !== undefined);
  }

  /** True while this relay holds at least one shard and publishes it. */
  get active(): boolean {
    return this.#active;
  }

  /** The shards this relay holds now, in order. */
  get heldShards(): readonly number[] {
    return [...this.#publishers.keys()].sort((a, b) => a - b);
  }

  /**
   * Whether rows of the shards this relay holds wait to be published: what a replica that is about to stop
   * can still drain. Rows of other replicas' shards are theirs to publish, so they are not counted.
   */
  async pendingInHeldShards(): Promise<boolean> {
    const held = this.heldShards;
    if (held.length === 0 || this.#names === undefined) return false;
    const { shards, dataSource } = this.#options;
    const inHeld = shards > 1 ? `AND ${shardOfKeySql('key', '$2::int')} = ANY($1::int[])` : '';
    const rows = (await dataSource.query(
      `SELECT EXISTS (SELECT 1 FROM ${this.#names.outboxTable} WHERE published_at IS NULL ${inHeld}) AS pending`,
      shards > 1 ? [held, shards] : [],
    )) as Array<{ pending: boolean }>;
    return rows[0]?.pending === true;
  }

  /** Starts competing for the shards and publishing those it holds. Returns at once. */
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
      // One cleaner per outbox whatever the replica count: the holder of shard 0.
      isActive: () => this.#active && this.#publishers.has(0),
      emit: (event) => this.#emit(event),
    });
    this.#running = this.#run();
    this.#housekeeping.start();
  }

  /** Finishes every shard's batch in flight (send and mark), releases the locks and closes the connection. */
  stop(): Promise<void> {
    this.#stopped ??= this.#stop();
    return this.#stopped;
  }

  async #stop(): Promise<void> {
    if (!this.#running) return;
    this.#signals.stop();
    const housekeepingStopped = this.#housekeeping!.stop();
    await this.#running;
    await housekeepingStopped;
    metrics.outboxRelayActive.set({ outbox: this.#names!.metricLabel }, 0);
    this.#emit({ type: 'stopped' });
  }

  async #run(): Promise<void> {
    let attempt = 0;
    while (!this.#signals.stopping) {
      let lease: RelayLease | undefined;
      try {
        lease = await this.#connect();
        this.#emit({ type: 'standby' });
        if (!(await this.#joinLayout(lease))) break;
        await lease.listen();
        attempt = 0;
        await this.#holdShards(lease);
      } catch (error) {
        if (this.#signals.stopping) break;
        this.#setActive(false);
        // Whatever failed (the session, one shard's statement, a claim), the session ends first: the shards'
        // locks go with it and no publisher can read or mark anything more; healthy publishers would otherwise
        // never end, and the shards they hold would stay locked. One whose send is in flight ends once it has
        // settled, before a new session may publish the same shard.
        await lease?.close();
        await this.#endPublishers();
        const retryInMs = backoffMs(attempt++, this.#options.retryInitialMs, this.#options.retryMaxMs);
        this.#emit({ type: 'connection-lost', error, attempt, retryInMs });
        // Only stop() shortens this pause: events of the connection just closed must not.
        await this.#signals.sleep(retryInMs, { notify: false, broken: false });
      } finally {
        // On stop() the publishers finish their batches in flight before the session ends.
        await this.#endPublishers();
        this.#setActive(false);
        // Ending the session releases every lock it held.
        await lease?.close();
      }
    }
  }

  async #connect(): Promise<RelayLease> {
    const names = this.#names!;
    this.#publisherFailure = undefined;
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
    try {
      await lease.connect();
    } catch (error) {
      // Connected but not set up: the caller never sees this lease, so it is ended here.
      await lease.close();
      throw error;
    }
    return lease;
  }

  /** Waits until no relay of another layout is alive. False: stop() came first. */
  async #joinLayout(lease: RelayLease): Promise<boolean> {
    let reported: string | undefined;
    while (!this.#signals.stopping) {
      const verdict = await lease.joinLayout(this.#options.shards);
      if (verdict.joined) return true;
      if (reported !== verdict.reason) this.#emit({ type: 'layout-conflict', reason: verdict.reason });
      reported = verdict.reason;
      await this.#signals.sleep(this.#options.claimIntervalMs, { notify: false, broken: true }, this);
      this.#throwIfFailed();
    }
    return false;
  }

  /** Claims free shards up to the fair share and gives back those above it, every claimIntervalMs. */
  async #holdShards(lease: RelayLease): Promise<void> {
    const { shards, maxShards, claimIntervalMs } = this.#options;
    while (!this.#signals.stopping) {
      this.#throwIfFailed();
      const relays = await lease.relaysInLayout(shards);
      const share = fairShare(shards, relays, maxShards);
      for (const shard of shardsToRelease(new Set(this.#publishers.keys()), share)) {
        const publisher = this.#publishers.get(shard)!;
        publisher.release();
        await publisher.done;
        this.#publishers.delete(shard);
        await lease.release(shard);
        this.#emit({ type: 'released', shard, relays });
      }
      for (let shard = 0; shard < shards && this.#publishers.size < share; shard++) {
        if (this.#publishers.has(shard) || this.#signals.stopping) continue;
        if (!(await lease.tryClaim(shard))) continue;
        this.#startPublisher(lease, shard);
        this.#emit({ type: 'claimed', shard, relays });
      }
      this.#setActive(this.#publishers.size > 0 && !lease.broken);
      await this.#signals.sleep(claimIntervalMs, { notify: false, broken: true }, this);
    }
  }

  #startPublisher(lease: RelayLease, shard: number): void {
    const names = this.#names!;
    const publisher = new ShardPublisher({
      shard,
      lease,
      table: names.outboxTable,
      metricLabel: names.metricLabel,
      options: this.#options,
      signals: this.#signals,
      emit: (event) => this.#emit(event),
    });
    this.#publishers.set(shard, publisher);
    publisher.done.catch((error: unknown) => {
      this.#publisherFailure ??= error;
      this.#signals.wake(this);
    });
  }

  /** Waits for every publisher to end (each ends on stop(), release() or a broken session). */
  async #endPublishers(): Promise<void> {
    await Promise.allSettled([...this.#publishers.values()].map((publisher) => publisher.done));
    this.#publishers.clear();
  }

  #setActive(active: boolean): void {
    if (this.#active === active) return;
    this.#active = active;
    metrics.outboxRelayActive.set({ outbox: this.#names!.metricLabel }, active ? 1 : 0);
    if (active) this.#emit({ type: 'active' });
  }

  #breakConnection(): void {
    // The locks went with the session: say so now, even while sends are still in flight.
    this.#setActive(false);
    this.#signals.broken();
  }

  #throwIfFailed(): void {
    const broken = this.#lease?.broken;
    if (broken) throw broken;
    if (this.#publisherFailure !== undefined) throw this.#publisherFailure;
  }

  #notified(): void {
    for (const publisher of this.#publishers.values()) publisher.notified();
    this.#signals.notified();
  }

  #emit(event: RelayEvent): void {
    try {
      this.#options.onEvent?.(event);
    } catch {
      // Observers must not be able to stop the relay.
    }
  }
}
