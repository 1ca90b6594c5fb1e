import type { DataSource, EntityManager } from 'typeorm';
import { schemaOf } from './data-source.js';
import { invalid, PersistenceErrorCode } from './errors.js';

/** What a cluster-locked job did: ran (with its result), or skipped because another replica holds the lock. */
export type ClusterLockOutcome<T> = { readonly ran: true; readonly value: T } | { readonly ran: false };

/** Text hashed into the advisory lock key of a job; the schema keeps deployments sharing a database apart. */
export function clusterLockName(schema: string, name: string): string {
  return `tributary.cluster:${schema}:${name}`;
}

/**
 * Runs `fn` on one replica at a time, cluster-wide: a transaction-level advisory lock
 * (`pg_try_advisory_xact_lock`) on `tributary.cluster:<schema>:<name>`, taken without waiting. A replica that
 * finds it held skips this turn (`{ ran: false }`) rather than queueing behind it, which is what a periodic
 * job wants: the holder is doing the work. The lock ends with the transaction, so a crash or a failed `fn`
 * gives it up (docs/architecture.md#several-replicas).
 *
 * `fn` runs inside that transaction: work done through `manager` commits with it, and the lock covers every
 * decision read through it.
 */
export async function withClusterLock<T>(
  dataSource: DataSource,
  name: string,
  fn: (manager: EntityManager) => Promise<T>,
): Promise<ClusterLockOutcome<T>> {
  if (name.trim() === '') {
    throw invalid(PersistenceErrorCode.clusterLockInvalid, 'A cluster lock needs a non-empty name.');
  }
  const lockName = clusterLockName(schemaOf(dataSource), name);
  return dataSource.transaction(async (manager) => {
    const rows = (await manager.query('SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS locked', [
      lockName,
    ])) as Array<{ locked: boolean }>;
    if (rows[0]?.locked !== true) return { ran: false } as const;
    return { ran: true, value: await fn(manager) } as const;
  });
}
