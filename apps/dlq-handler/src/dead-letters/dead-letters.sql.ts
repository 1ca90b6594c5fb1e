import type { DeadLetterFilter } from './dead-letters.requests.js';

/** SQL of a filter: `WHERE` clauses with numbered parameters starting after `offset`. */
export function filterSql(filter: DeadLetterFilter, offset = 0): { where: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    clauses.push(sql.replace('?', `$${offset + params.length}`));
  };
  if (filter.group !== undefined) add('consumer_group = ?', filter.group);
  // One connector app per provider, consuming as connector-<provider> (docs/architecture.md, Connectors).
  if (filter.provider !== undefined) add('consumer_group = ?', `connector-${filter.provider}`);
  if (filter.topic !== undefined) add('original_topic = ?', filter.topic);
  if (filter.errorCode !== undefined) add('error_code = ?', filter.errorCode);
  if (filter.status !== undefined) add('status = ?', filter.status);
  if (filter.eventType !== undefined) add('event_type = ?', filter.eventType);
  if (filter.replayQueued !== undefined) add('replay_pending = ?::boolean', filter.replayQueued);
  if (filter.from !== undefined) add('last_failed_at >= ?::timestamptz', filter.from);
  if (filter.to !== undefined) add('last_failed_at < ?::timestamptz', filter.to);
  return { where: clauses.length === 0 ? 'TRUE' : clauses.join(' AND '), params };
}

/**
 * TypeORM answers an UPDATE or DELETE with `[rows, rowCount]` instead of the rows: the RETURNING rows of
 * either shape.
 */
export function returnedRows(result: unknown): unknown[] {
  if (
    Array.isArray(result) &&
    result.length === 2 &&
    Array.isArray(result[0]) &&
    typeof result[1] === 'number'
  ) {
    return result[0] as unknown[];
  }
  return result as unknown[];
}
