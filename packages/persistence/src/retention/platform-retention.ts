import type { DataSource, EntityManager } from 'typeorm';
import { schemaOf } from '../data-source.js';
import { namesFor } from '../names.js';
import type { RetentionConfig } from './retention-config.js';
import type { RetentionPolicy } from './retention-job.js';

/** Rows affected by a DELETE or UPDATE run through `manager.query` (TypeORM returns `[rows, count]`). */
export async function affectedRows(
  manager: EntityManager,
  sql: string,
  parameters: readonly unknown[],
): Promise<number> {
  const result = (await manager.query(sql, [...parameters])) as [unknown[], number];
  return result[1] ?? 0;
}

/**
 * The platform tables' retention: inbox rows past the inbox horizon (no redelivery can reach them any more,
 * see `inboxRetentionFloorMs`) and audit entries past theirs. Each batch picks its rows through the time
 * column's index and skips rows another transaction holds, so it never waits behind a writer.
 */
export function platformRetentionPolicies(
  dataSource: DataSource,
  config: RetentionConfig,
): RetentionPolicy[] {
  const names = namesFor(schemaOf(dataSource));
  return [
    {
      name: 'inbox',
      horizonMs: config.inboxRetentionMs,
      // No single-column key: the batch is picked by row address, which stays valid within the statement.
      apply: (manager, cutoff, limit) =>
        affectedRows(
          manager,
          `DELETE FROM ${names.inboxTable} WHERE ctid = ANY(ARRAY(
             SELECT ctid FROM ${names.inboxTable} WHERE processed_at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED))`,
          [cutoff, limit],
        ),
    },
    {
      name: 'audit_log',
      horizonMs: config.auditLogRetentionMs,
      apply: (manager, cutoff, limit) =>
        affectedRows(
          manager,
          `DELETE FROM ${names.auditLogTable} WHERE id = ANY(ARRAY(
             SELECT id FROM ${names.auditLogTable} WHERE at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED))`,
          [cutoff, limit],
        ),
    },
  ];
}
