import pg from 'pg';
import { quoteIdent } from '../names.js';

/** What the lease's session reports to the relay while it lives. */
export interface RelayLeaseEvents {
  /** The session failed or ended: the advisory lock went with it. */
  broken(error: Error): void;
  /** A NOTIFY on the outbox channel: rows were committed. */
  notified(): void;
}

/** What reads and marks need of the relay's session. */
export interface RelaySession {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    query: string | pg.QueryConfig,
    values?: readonly unknown[],
  ): Promise<pg.QueryResult<R>>;
}

/** Why a relay may not publish yet: another layout of the same outbox is alive. */
export type LayoutVerdict =
  | { readonly joined: true; readonly relays: number }
  | { readonly joined: false; readonly reason: 'unsharded-relay' | 'other-shard-count' };

/**
 * One session of the relay's own, and the rights to publish that come with it: session-level advisory locks,
 * one per shard held (docs/architecture.md#outbox). Every read and mark of the relay goes through this
 * session, so once it dies the relay can no longer touch the outbox, and a relay that takes its shards over
 * never races a half-dead predecessor. One session for all shards: a replica costs one connection whatever
 * it holds, and Postgres releases all of them at once when it dies.
 *
 * Lock keys, all derived from the outbox's relay lock name: the two-key form (hashtext(name), i) for shard i,
 * (hashtext(name), -S) held shared by every relay of a layout with S shards, and the one-key form the
 * unsharded relay of earlier versions held exclusively, which sharded relays hold shared.
 */
export class RelayLease {
  readonly #client: pg.Client;
  readonly #lockName: string;
  readonly #channel: string;
  #broken: Error | undefined;
  #closed = false;
  /**
   * The shards' publishers and the claim loop share the session: their statements go one after the other
   * here rather than in pg's own queue, which is deprecated (gone in pg 9).
   */
  #tail: Promise<unknown> = Promise.resolve();

  constructor(
    config: pg.ClientConfig,
    names: { readonly lockName: string; readonly channel: string },
    events: RelayLeaseEvents,
  ) {
    this.#lockName = names.lockName;
    this.#channel = names.channel;
    const client = new pg.Client({ ...config, keepAlive: true });
    // Without a listener, an error on an idle connection would crash the process; here it ends the active
    // phase, and the loop reconnects as a standby.
    client.on('error', (error) => this.#break(error, events));
    client.on('end', () => this.#break(new Error('Relay connection closed'), events));
    client.on('notification', () => events.notified());
    this.#client = client;
  }

  /** The session the relay reads and marks through, one statement at a time. */
  get session(): RelaySession {
    return this;
  }

  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    query: string | pg.QueryConfig,
    values?: readonly unknown[],
  ): Promise<pg.QueryResult<R>> {
    const run = () =>
      typeof query === 'string'
        ? this.#client.query<R>(query, values as unknown[])
        : this.#client.query<R>(query);
    const result = this.#tail.then(run, run);
    this.#tail = result.catch(() => undefined);
    return result;
  }

  /** Why the session ended, once it has. */
  get broken(): Error | undefined {
    return this.#broken;
  }

  async connect(): Promise<void> {
    await this.#client.connect();
    // The server should notice a vanished relay quickly, so its lock passes to a standby: keepalives for a
    // silent network, and (Postgres 14+) a periodic check of the client socket while waiting for the lock.
    // Marks need no durability: a mark lost in a database crash only republishes its rows (duplicates, never
    // losses), so the relay's commits skip the WAL flush wait.
    await this.query(
      `SELECT set_config('tcp_keepalives_idle', '10', false), set_config('tcp_keepalives_interval', '5', false),
              set_config('tcp_keepalives_count', '3', false), set_config('synchronous_commit', 'off', false)`,
    );
    await this.query(`SELECT set_config('client_connection_check_interval', '2000', false)`).catch(
      () => undefined,
    );
  }

  /**
   * Joins the relays of a layout with `shards` shards, unless relays of another layout are alive: two layouts
   * at once would give one key two publishers. An unsharded relay of an earlier version holds the old lock
   * exclusively (our shared hold then fails, and holding it shared keeps such a relay from starting later);
   * a relay with another shard count shows its layout lock in pg_locks. Both sides check after taking their
   * own lock, so of two relays starting together at least one sees the other. Not joined: nothing is held.
   */
  async joinLayout(shards: number): Promise<LayoutVerdict> {
    const { rows } = await this.query<{ legacy: boolean }>(
      'SELECT pg_try_advisory_lock_shared(hashtextextended($1, 0)) AS legacy',
      [this.#lockName],
    );
    if (!rows[0]!.legacy) return { joined: false, reason: 'unsharded-relay' };
    await this.query('SELECT pg_advisory_lock_shared(hashtext($1), $2)', [this.#lockName, -shards]);
    const others = await this.#layouts(shards);
    if (others.other > 0) {
      await this.query(
        'SELECT pg_advisory_unlock_shared(hashtext($1), $2), pg_advisory_unlock_shared(hashtextextended($1, 0))',
        [this.#lockName, -shards],
      );
      return { joined: false, reason: 'other-shard-count' };
    }
    return { joined: true, relays: others.same };
  }

  /** How many relays of this layout are alive, this one included: the divisor of the fair share. */
  async relaysInLayout(shards: number): Promise<number> {
    return (await this.#layouts(shards)).same;
  }

  /** Takes shard `shard` if no other session holds it. Never waits: this session serves the shards it has. */
  async tryClaim(shard: number): Promise<boolean> {
    const { rows } = await this.query<{ claimed: boolean }>(
      'SELECT pg_try_advisory_lock(hashtext($1), $2) AS claimed',
      [this.#lockName, shard],
    );
    return rows[0]!.claimed;
  }

  /** Gives shard `shard` back; call only once its publisher has finished the batch in flight. */
  async release(shard: number): Promise<void> {
    await this.query('SELECT pg_advisory_unlock(hashtext($1), $2)', [this.#lockName, shard]);
  }

  async #layouts(shards: number): Promise<{ same: number; other: number }> {
    // Layout locks are the negative second keys (objid above 2^31 once seen as an unsigned oid).
    const { rows } = await this.query<{ same: number; other: number }>(
      `SELECT count(*) FILTER (WHERE objid = $2::int4::oid)::int AS same,
              count(*) FILTER (WHERE objid <> $2::int4::oid)::int AS other
       FROM pg_locks
       WHERE locktype = 'advisory' AND granted AND objsubid = 2 AND classid = hashtext($1)::oid
         AND objid::int8 > 2147483647
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      [this.#lockName, -shards],
    );
    return rows[0]!;
  }

  /** Subscribes to the writers' NOTIFY, so that an idle active relay wakes on new rows. */
  async listen(): Promise<void> {
    await this.query(`LISTEN ${quoteIdent(this.#channel)}`);
  }

  /** Ends the session once, whoever asks first (the loop, stop()), and never throws. Releases the lock. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#client.end().catch(() => undefined);
  }

  #break(error: Error, events: RelayLeaseEvents): void {
    this.#broken ??= error;
    events.broken(error);
  }
}
