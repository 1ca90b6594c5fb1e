import type { EncodedRecord } from '@tributary/kafka';
import { metrics } from '@tributary/observability';
import pg from 'pg';
import { pgConfigOf, schemaOf } from '../data-source.js';
import { namesFor, quoteIdent, type OutboxNames } from '../names.js';
import {
  backoffMs,
  resolveRelayOptions,
  type OutboxRelayOptions,
  type RelayEvent,
  type ResolvedRelayOptions,
} from './outbox-relay.options.js';

interface OutboxRow {
  readonly id: string;
  readonly topic: string;
  readonly key: string;
  readonly value: Buffer;
  /** JSON text, parsed only when the record is built. */
  readonly headers: string;
  readonly event_id: string;
  /** created_at in epoch milliseconds. */
  readonly created_ms: number;
  readonly fetched: number;
}

interface Batch {
  readonly rows: OutboxRow[];
  /** The batch was cut by batchSize or maxBatchBytes: more rows are probably waiting. */
  readonly more: boolean;
}

interface WakeOn {
  readonly notify: boolean;
  readonly broken: boolean;
}

/** Aborts the active phase without counting as a failure: stop() was called. */
class Stopped extends Error {}

/**
 * Publishes outbox rows to a RecordSink in id order (DESIGN §5).
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
  #broken: Error | undefined;
  #client: pg.Client | undefined;
  readonly #background = new Set<Promise<void>>();
  readonly #timers = new Set<NodeJS.Timeout>();

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
    this.#names = namesFor(schemaOf(this.#options.dataSource));
    this.#running = this.#run();
    this.#every(this.#options.metricsIntervalMs, 'metrics', () => this.#measureBacklog(), true);
    this.#every(this.#options.cleanupIntervalMs, 'cleanup', () => this.#cleanup(), false);
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
    for (const timer of this.#timers) clearTimeout(timer);
    // A standby blocked in pg_advisory_lock only returns when its connection closes. Closing an active
    // relay's connection here would abandon its batch, so only the waiting one is cut.
    if (!this.#active) await closeClient(this.#client);
    await this.#running;
    await Promise.allSettled([...this.#background]);
    const label = { outbox: this.#names!.metricLabel };
    metrics.outboxRelayActive.set(label, 0);
    this.#emit({ type: 'stopped' });
  }

  async #run(): Promise<void> {
    let attempt = 0;
    while (!this.#stopping) {
      let client: pg.Client | undefined;
      try {
        client = await this.#connect();
        this.#emit({ type: 'standby' });
        // Blocks in Postgres until the active relay's session ends: no polling, no takeover delay.
        await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [this.#names!.relayLockName]);
        if (this.#stopping) break;
        await client.query(`LISTEN ${quoteIdent(this.#names!.channel)}`);
        this.#setActive(true);
        attempt = 0;
        await this.#publishWhileActive(client);
      } catch (error) {
        if (this.#stopping || error instanceof Stopped) break;
        this.#setActive(false);
        await closeClient(client);
        const retryInMs = backoffMs(attempt++, this.#options.retryInitialMs, this.#options.retryMaxMs);
        this.#emit({ type: 'connection-lost', error, attempt, retryInMs });
        // Only stop() shortens this pause: events of the connection just closed must not.
        await this.#sleep(retryInMs, { notify: false, broken: false });
      } finally {
        this.#setActive(false);
        // Ending the session releases the advisory lock for a standby.
        await closeClient(client);
      }
    }
  }

  async #connect(): Promise<pg.Client> {
    this.#broken = undefined;
    const client = new pg.Client({
      ...pgConfigOf(this.#options.dataSource),
      application_name: this.#options.applicationName,
      keepAlive: true,
    });
    // Without a listener, an error on an idle connection would crash the process; here it ends the active
    // phase, and the loop reconnects as a standby.
    // Events of an earlier, abandoned connection must not disturb the current one.
    const current = () => this.#client === client;
    client.on('error', (error) => current() && this.#breakConnection(error));
    client.on('end', () => current() && this.#breakConnection(new Error('Relay connection closed')));
    client.on('notification', () => current() && this.#notified());
    this.#client = client;
    await client.connect();
    // The server should notice a vanished relay quickly, so its lock passes to a standby: keepalives for a
    // silent network, and (Postgres 14+) a periodic check of the client socket while waiting for the lock.
    // Marks need no durability: a mark lost in a database crash only republishes its rows (duplicates, never
    // losses), so the relay's commits skip the WAL flush wait.
    await client.query(
      `SELECT set_config('tcp_keepalives_idle', '10', false), set_config('tcp_keepalives_interval', '5', false),
              set_config('tcp_keepalives_count', '3', false), set_config('synchronous_commit', 'off', false)`,
    );
    await client
      .query(`SELECT set_config('client_connection_check_interval', '2000', false)`)
      .catch(() => undefined);
    return client;
  }

  async #publishWhileActive(client: pg.Client): Promise<void> {
    let sinkAttempt = 0;
    while (!this.#stopping) {
      this.#throwIfBroken();
      this.#woken = false;
      let { rows: batch, more } = await this.#fetch(client, []);
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
              ? this.#fetch(
                  client,
                  batch.map((row) => row.id),
                )
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
          marking = this.#markPublished(
            client,
            acked.map((row) => row.id),
          ).then(() => this.#observePublished(acked, startedAt, ackedAt));
          if (this.#stopping) break;
          ({ rows: batch, more } = await next);
        }
      } finally {
        // stop() finishes the batch in flight: its mark is part of it.
        await marking;
      }
    }
  }

  /**
   * The next rows in id order, at most batchSize of them and at most maxBatchBytes (but always one): a
   * Kafka request over the broker's size limit would be refused on every retry and stall the outbox. The
   * byte bound is applied in Postgres so that rows left for the next batch are not transferred twice.
   */
  #fetch(client: pg.Client, inFlight: readonly string[]): Promise<Batch> {
    // Text format on purpose: pg decodes every field of a binary-format row as UTF-8, which would corrupt
    // bytea values. Casts keep the per-row parsing cheap (no Date or jsonb parser).
    const query: pg.QueryConfig = {
      text: `SELECT id::text AS id, topic, key, value, headers::text AS headers, event_id::text AS event_id,
                      (extract(epoch FROM created_at) * 1000)::float8 AS created_ms, fetched::int4 AS fetched
         FROM (
           SELECT page.*, sum(size) OVER (ORDER BY id) AS running, count(*) OVER () AS fetched
           FROM (
             SELECT id, topic, key, value, headers, event_id, created_at,
                    octet_length(value) + octet_length(key) + pg_column_size(headers) AS size
             FROM ${this.#names!.outboxTable}
             WHERE published_at IS NULL AND NOT (id BETWEEN $2::bigint AND $4::bigint)
             ORDER BY id
             LIMIT $1
           ) AS page
         ) AS sized
         WHERE running <= $3 OR running = size
         ORDER BY sized.id`,
      // The batch in flight is one id range: a range test uses the index where `<> ALL(array)` reads
      // and discards every in-flight row. A row that commits late inside that range waits one fetch.
      values: [
        this.#options.batchSize,
        inFlight[0] ?? '0',
        this.#options.maxBatchBytes,
        inFlight.at(-1) ?? '-1',
      ],
    };
    return client.query<OutboxRow>(query).then(({ rows }) => {
      const fetched = rows[0]?.fetched ?? 0;
      return { rows, more: fetched === this.#options.batchSize || rows.length < fetched };
    });
  }

  async #markPublished(client: pg.Client, ids: readonly string[]): Promise<void> {
    // One statement for the whole batch: per-row round trips would cap throughput far below Kafka's.
    await client.query(
      `UPDATE ${this.#names!.outboxTable} SET published_at = now() WHERE id = ANY($1::bigint[])`,
      [ids],
    );
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

  /** Pending count and oldest creation time. Both read the small partial index: the count is exact up to
   * 10 000 rows and estimated from the id range above that, so a large backlog does not make it slow. */
  async #measureBacklog(): Promise<void> {
    const table = this.#names!.outboxTable;
    const [row] = (await this.#options.dataSource.query(
      `SELECT (SELECT count(*) FROM (SELECT 1 FROM ${table} WHERE published_at IS NULL LIMIT 10000) AS capped)::int
                AS capped_count,
              (SELECT max(id) - min(id) + 1 FROM ${table} WHERE published_at IS NULL)::bigint AS id_span,
              (SELECT extract(epoch FROM created_at) FROM ${table}
                 WHERE published_at IS NULL ORDER BY id LIMIT 1)::float8 AS oldest`,
    )) as [{ capped_count: number; id_span: string | null; oldest: number | null }];
    const label = { outbox: this.#names!.metricLabel };
    const pending = row.capped_count < 10000 ? row.capped_count : Number(row.id_span ?? row.capped_count);
    metrics.outboxPending.set(label, pending);
    if (row.oldest === null) metrics.outboxOldestPendingCreated.remove(label);
    else metrics.outboxOldestPendingCreated.set(label, row.oldest);
  }

  /** Deletes published rows past the retention in bounded chunks; only the active relay does it. */
  async #cleanup(): Promise<void> {
    if (!this.#active) return;
    const table = this.#names!.outboxTable;
    let deleted = 0;
    for (;;) {
      // created_at bounds the scan through its BRIN index; published_at decides.
      const result = (await this.#options.dataSource.query(
        `DELETE FROM ${table} WHERE id IN (
           SELECT id FROM ${table}
           WHERE created_at < now() - make_interval(secs => $1::float8 / 1000)
             AND published_at < now() - make_interval(secs => $1::float8 / 1000)
           LIMIT $2)`,
        [this.#options.retentionMs, this.#options.cleanupBatchSize],
      )) as [unknown[], number];
      const count = result[1] ?? 0;
      deleted += count;
      if (count < this.#options.cleanupBatchSize || this.#stopping || !this.#active) break;
    }
    if (deleted > 0) this.#emit({ type: 'cleanup', deleted });
  }

  /** Runs `task` now (if asked) and then every `intervalMs`, never overlapping, until stop(). */
  #every(intervalMs: number, name: 'metrics' | 'cleanup', task: () => Promise<void>, now: boolean): void {
    const tick = () => {
      if (this.#stopping) return;
      const run = task()
        .catch((error: unknown) => this.#emit({ type: 'background-failed', task: name, error }))
        .finally(() => {
          this.#background.delete(run);
          schedule();
        });
      this.#background.add(run);
    };
    const schedule = () => {
      if (this.#stopping) return;
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        tick();
      }, intervalMs);
      timer.unref();
      this.#timers.add(timer);
    };
    if (now) tick();
    else schedule();
  }

  #setActive(active: boolean): void {
    if (this.#active === active) return;
    this.#active = active;
    metrics.outboxRelayActive.set({ outbox: this.#names!.metricLabel }, active ? 1 : 0);
    if (active) this.#emit({ type: 'active' });
  }

  #breakConnection(error: Error): void {
    this.#broken ??= error;
    // The lock went with the session: say so now, even while a send is still in flight.
    this.#setActive(false);
    if (this.#waiter?.wakeOn.broken) this.#waiter.resolve();
  }

  #throwIfBroken(): void {
    if (this.#broken) throw this.#broken;
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
    if (this.#stopping || (wakeOn.broken && this.#broken)) return Promise.resolve();
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

const closed = new WeakSet<pg.Client>();

/** Ends a client once, whoever asks first (the loop, stop()), and never throws. */
async function closeClient(client: pg.Client | undefined): Promise<void> {
  if (!client || closed.has(client)) return;
  closed.add(client);
  await client.end().catch(() => undefined);
}

function toRecord(row: OutboxRow): EncodedRecord {
  return {
    topic: row.topic,
    key: row.key,
    value: row.value,
    headers: JSON.parse(row.headers) as Record<string, string>,
    eventId: row.event_id,
  };
}
