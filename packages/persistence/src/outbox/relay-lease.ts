import pg from 'pg';
import { quoteIdent } from '../names.js';

/** What the lease's session reports to the relay while it lives. */
export interface RelayLeaseEvents {
  /** The session failed or ended: the advisory lock went with it. */
  broken(error: Error): void;
  /** A NOTIFY on the outbox channel: rows were committed. */
  notified(): void;
}

/**
 * One session of the relay's own, and the right to publish that comes with it: a session-level advisory
 * lock. Every read and mark of the active relay goes through this session, so once it dies the relay can no
 * longer touch the outbox, and a standby that takes the lock never races a half-dead predecessor.
 */
export class RelayLease {
  readonly #client: pg.Client;
  readonly #lockName: string;
  readonly #channel: string;
  #broken: Error | undefined;
  #closed = false;

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

  /** The session the active relay reads and marks through. */
  get client(): pg.Client {
    return this.#client;
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
    await this.#client.query(
      `SELECT set_config('tcp_keepalives_idle', '10', false), set_config('tcp_keepalives_interval', '5', false),
              set_config('tcp_keepalives_count', '3', false), set_config('synchronous_commit', 'off', false)`,
    );
    await this.#client
      .query(`SELECT set_config('client_connection_check_interval', '2000', false)`)
      .catch(() => undefined);
  }

  /** Blocks in Postgres until the active relay's session ends: no polling, no takeover delay. */
  async lock(): Promise<void> {
    await this.#client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [this.#lockName]);
  }

  /** Subscribes to the writers' NOTIFY, so that an idle active relay wakes on new rows. */
  async listen(): Promise<void> {
    await this.#client.query(`LISTEN ${quoteIdent(this.#channel)}`);
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
