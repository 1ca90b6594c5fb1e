import { TributaryError } from '@tributary/contracts';
import pg from 'pg';
import { PersistenceErrorCode, sqlStateOf, SqlState } from './errors.js';

/** Text hashed into the advisory lock key that lets one replica at a time create a schema and migrate it. */
export function migrationLockName(schema: string): string {
  return `tributary.migrations:${schema}`;
}

/** Who holds an advisory lock, as far as pg_locks and pg_stat_activity tell. */
export interface LockHolder {
  readonly pid: number;
  readonly applicationName: string;
  /** The holder's client address; null for a Unix socket. */
  readonly clientAddr: string | null;
}

/**
 * Runs `fn` while this process holds the schema's migration lock: a session-level advisory lock on a
 * dedicated connection (not a pooled one, which could go back to the pool still holding it), so replicas
 * booting at once on an empty schema migrate one after the other and the later ones find nothing pending
 * (docs/architecture.md#several-replicas). The wait is bounded by `lock_timeout`; a crash of the holder
 * ends its session and so frees the lock.
 */
export async function withMigrationLock<T>(
  config: pg.ClientConfig,
  schema: string,
  timeoutMs: number,
  fn: (client: pg.Client, waitedMs: number) => Promise<T>,
): Promise<T> {
  const lockName = migrationLockName(schema);
  const client = new pg.Client(config);
  // An error on this connection surfaces through the query in flight; without a listener it would crash.
  client.on('error', () => undefined);
  await client.connect();
  try {
    const started = Date.now();
    // lock_timeout bounds waits on heavyweight locks, advisory ones included, and nothing else.
    await client.query(`SET lock_timeout = ${Math.max(1, Math.round(timeoutMs))}`);
    try {
      await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [lockName]);
    } catch (error) {
      if (sqlStateOf(error) !== SqlState.lockNotAvailable) throw error;
      throw lockTimeout(lockName, timeoutMs, await holderOf(client, lockName).catch(() => undefined));
    }
    await client.query('RESET lock_timeout');
    return await fn(client, Date.now() - started);
  } finally {
    // Ending the session releases the lock, also when fn failed half way.
    await client.end().catch(() => undefined);
  }
}

/** The session holding an advisory lock taken with `hashtextextended(name, 0)`, if any. */
export async function holderOf(client: pg.Client, lockName: string): Promise<LockHolder | undefined> {
  // A bigint advisory key shows in pg_locks as classid (high 32 bits), objid (low 32 bits), objsubid 1.
  const { rows } = await client.query<{
    pid: number;
    application_name: string | null;
    client_addr: string | null;
  }>(
    `SELECT l.pid, a.application_name, host(a.client_addr) AS client_addr
       FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND ((l.classid::bigint << 32) | l.objid::bigint) = hashtextextended($1, 0)
      LIMIT 1`,
    [lockName],
  );
  const row = rows[0];
  return row
    ? { pid: row.pid, applicationName: row.application_name ?? '', clientAddr: row.client_addr }
    : undefined;
}

function lockTimeout(lockName: string, timeoutMs: number, holder: LockHolder | undefined): TributaryError {
  const by = holder
    ? `held by pid ${holder.pid} (${[holder.applicationName, holder.clientAddr].filter(Boolean).join(' at ') || 'unnamed'})`
    : 'its holder is gone';
  return new TributaryError(
    PersistenceErrorCode.migrationLockTimeout,
    `Waited ${timeoutMs} ms for advisory lock ${JSON.stringify(lockName)}, ${by}: another replica is still ` +
      'migrating this schema, or is stuck doing so.',
    { retriable: true },
  );
}
