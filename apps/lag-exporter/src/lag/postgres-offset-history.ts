import { schemaOf } from '@tributary/persistence';
import type { DataSource } from 'typeorm';
import type { OffsetHistory, OffsetRun } from './offset-history.js';

/**
 * Offset runs in the exporter's own table (`lag_offset_runs`, history.migration.ts), one row per
 * (topic, partition, offset) seen as a log end. A poll is two statements whatever the partition count: an
 * upsert that starts a run or moves its last_seen_at, and a delete of runs above a log end that went
 * backwards (a recreated topic: its old offsets describe another log). Bounded by prune().
 */
export class PostgresOffsetHistory implements OffsetHistory {
  private readonly table: string;

  constructor(private readonly dataSource: DataSource) {
    this.table = `"${schemaOf(dataSource)}"."lag_offset_runs"`;
  }

  async load(): Promise<OffsetRun[]> {
    const rows = (await this.dataSource.query(
      `SELECT topic, partition, "offset",
              round(extract(epoch FROM first_seen_at) * 1000)::bigint AS first_seen_ms,
              round(extract(epoch FROM last_seen_at) * 1000)::bigint AS last_seen_ms
         FROM ${this.table}`,
    )) as Array<{
      topic: string;
      partition: number;
      offset: string;
      first_seen_ms: string;
      last_seen_ms: string;
    }>;
    return rows.map((r) => ({
      topic: r.topic,
      partition: Number(r.partition),
      offset: Number(r.offset),
      firstSeenMs: Number(r.first_seen_ms),
      lastSeenMs: Number(r.last_seen_ms),
    }));
  }

  async record(
    latest: ReadonlyArray<{ topic: string; partition: number; offset: number }>,
    atMs: number,
  ): Promise<void> {
    if (latest.length === 0) return;
    const params = [
      latest.map((p) => p.topic),
      latest.map((p) => p.partition),
      latest.map((p) => String(p.offset)),
    ];
    await this.dataSource.query(
      `DELETE FROM ${this.table} AS h
         USING unnest($1::text[], $2::int[], $3::bigint[]) AS s(topic, partition, "offset")
        WHERE h.topic = s.topic AND h.partition = s.partition AND h."offset" > s."offset"`,
      params,
    );
    await this.dataSource.query(
      `INSERT INTO ${this.table} AS h (topic, partition, "offset", first_seen_at, last_seen_at)
       SELECT topic, partition, "offset", to_timestamp($4 / 1000.0), to_timestamp($4 / 1000.0)
         FROM unnest($1::text[], $2::int[], $3::bigint[]) AS s(topic, partition, "offset")
       ON CONFLICT (topic, partition, "offset")
       DO UPDATE SET last_seen_at = greatest(h.last_seen_at, excluded.last_seen_at)`,
      [...params, atMs],
    );
  }

  async prune(beforeMs: number): Promise<number> {
    const [, count] = (await this.dataSource.query(
      `DELETE FROM ${this.table} WHERE last_seen_at < to_timestamp($1 / 1000.0)`,
      [beforeMs],
    )) as [unknown, number];
    return count ?? 0;
  }
}
