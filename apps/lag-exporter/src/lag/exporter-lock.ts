import pg from 'pg';

/** Whether this replica may export; the collector asks before every poll. */
export interface Leadership {
  /** True while this replica holds the lock (taking it if free); false for a standby. Never throws. */
  holds(): Promise<boolean>;
  release(): Promise<void>;
}

/**
 * One exporting replica per database schema: a session-level Postgres advisory lock on a dedicated
 * connection (not a pooled one: a pooled connection returned with the lock still held would keep it for
 * nobody). A standby tries the lock at every poll and takes over within one interval of the holder's
 * session ending (shutdown, crash, lost network; Postgres ends the session and the lock with it).
 */
export class AdvisoryLockLeadership implements Leadership {
  private client: pg.Client | undefined;
  private broken = false;
  private holding = false;

  constructor(
    private readonly config: pg.ClientConfig,
    /** The lock's name; replicas of one deployment must agree on it (the schema they share). */
    private readonly lockName: string,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  async holds(): Promise<boolean> {
    try {
      if (this.holding && this.client && !this.broken) {
        // Still our session? A query on it fails once the server or the network dropped it.
        await this.client.query('SELECT 1');
        return true;
      }
      if (!this.client || this.broken) await this.connect();
      // A standby keeps its session and tries again at the next poll.
      const rows = await this.client!.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked',
        [this.lockName],
      );
      this.holding = rows.rows[0]?.locked === true;
      return this.holding;
    } catch (error) {
      this.onError(error);
      await this.close();
      return false;
    }
  }

  private async connect(): Promise<void> {
    await this.close();
    const client = new pg.Client(this.config);
    // Without a listener an error on the idle connection would crash the process; here it demotes.
    // Events of a session already given up must not demote the current one.
    client.on('error', (error) => {
      if (this.client !== client) return;
      this.broken = true;
      this.onError(error);
    });
    client.on('end', () => {
      if (this.client === client) this.broken = true;
    });
    this.client = client;
    await client.connect();
  }

  /** Ends the session, which releases the lock for a standby. */
  async release(): Promise<void> {
    await this.close();
  }

  private async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.broken = false;
    this.holding = false;
    await client?.end().catch(() => undefined);
  }
}
