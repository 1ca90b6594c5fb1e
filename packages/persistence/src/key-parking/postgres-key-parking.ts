import type {
  HeadState,
  KeyParking,
  ParkedDrain,
  ParkedRecord,
  ParkingStats,
  RawHeaders,
  RecordOrigin,
} from '@tributary/kafka';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { schemaOf } from '../data-source.js';
import { namesFor } from '../names.js';
import type { OutboxNames } from '../names.js';

interface RecordRow {
  record_key: Buffer;
  source_topic: string;
  source_partition: number;
  source_offset: string;
  value: Buffer | null;
  headers: Record<string, string[]>;
  record_timestamp: string;
}

/**
 * The parking store of per-key order on Postgres (docs/architecture.md#ordering-and-concurrency), in the
 * DataSource's schema next to the inbox. A park and a release's last look are ordered by the key's row lock;
 * one process releases a key at a time under a session advisory lock, which a crash gives up with its
 * connection, so another replica carries on from the first record not settled.
 */
export class PostgresKeyParking implements KeyParking {
  private readonly names: OutboxNames;

  constructor(private readonly dataSource: DataSource) {
    this.names = namesFor(schemaOf(dataSource));
  }

  async parkedAmong(group: string, keys: readonly Buffer[]): Promise<Set<string>> {
    const rows = (await this.dataSource.query(
      `SELECT record_key FROM ${this.names.parkedKeysTable}
        WHERE consumer_group = $1 AND record_key = ANY($2::bytea[])`,
      [group, keys],
    )) as { record_key: Buffer }[];
    return new Set(rows.map((row) => row.record_key.toString('base64')));
  }

  park(group: string, records: readonly ParkedRecord[]): Promise<Set<string>> {
    const { parkedKeysTable, parkedRecordsTable } = this.names;
    const keys = new Map(records.map((r) => [r.key.toString('base64'), r.key]));
    return this.dataSource.transaction(async (manager) => {
      // In key order, so that two transactions locking overlapping keys cannot deadlock.
      const locked = (await manager.query(
        `SELECT record_key FROM ${parkedKeysTable}
          WHERE consumer_group = $1 AND record_key = ANY($2::bytea[])
          ORDER BY record_key FOR UPDATE`,
        [group, [...keys.values()]],
      )) as { record_key: Buffer }[];
      const still = new Set(locked.map((row) => row.record_key.toString('base64')));
      const parking = records.filter((r) => still.has(r.key.toString('base64')));
      if (parking.length > 0) {
        // One statement, rows in the order given: `seq` follows the offsets.
        await manager.query(
          `INSERT INTO ${parkedRecordsTable}
             (consumer_group, record_key, source_topic, source_partition, source_offset, value, headers,
              record_timestamp)
           SELECT $1, k, t, p, o, v, h::jsonb, ts
             FROM unnest($2::bytea[], $3::text[], $4::int[], $5::bigint[], $6::bytea[], $7::text[], $8::text[])
               WITH ORDINALITY AS r(k, t, p, o, v, h, ts, n)
            ORDER BY n
           ON CONFLICT (consumer_group, source_topic, source_partition, source_offset) DO NOTHING`,
          [
            group,
            parking.map((r) => r.key),
            parking.map((r) => r.origin.topic),
            parking.map((r) => r.origin.partition),
            parking.map((r) => r.origin.offset),
            parking.map((r) => r.value),
            parking.map((r) => JSON.stringify(encodeHeaders(r.headers))),
            parking.map((r) => r.timestamp),
          ],
        );
      }
      return new Set([...keys.keys()].filter((id) => !still.has(id)));
    });
  }

  async markHead(
    group: string,
    key: Buffer,
    origin: RecordOrigin,
    state: HeadState,
    replacing: boolean,
  ): Promise<void> {
    const table = this.names.parkedKeysTable;
    await this.dataSource.query(
      replacing
        ? `INSERT INTO ${table} (consumer_group, record_key, state, head_topic, head_partition, head_offset)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (consumer_group, record_key) DO UPDATE
             SET state = EXCLUDED.state, head_topic = EXCLUDED.head_topic,
                 head_partition = EXCLUDED.head_partition, head_offset = EXCLUDED.head_offset,
                 updated_at = now()`
        : `UPDATE ${table} SET state = $3, updated_at = now()
            WHERE consumer_group = $1 AND record_key = $2
              AND head_topic = $4 AND head_partition = $5 AND head_offset = $6`,
      [group, key, state, origin.topic, origin.partition, origin.offset],
    );
  }

  async headFinished(group: string, key: Buffer, origin: RecordOrigin): Promise<boolean> {
    const rows = (await this.dataSource.query(
      `UPDATE ${this.names.parkedKeysTable} SET state = 'releasing', updated_at = now()
        WHERE consumer_group = $1 AND record_key = $2 AND state <> 'releasing'
          AND head_topic = $3 AND head_partition = $4 AND head_offset = $5
        RETURNING 1 AS released`,
      [group, key, origin.topic, origin.partition, origin.offset],
    )) as unknown;
    return updatedRows(rows) > 0;
  }

  async releasing(group: string, limit: number): Promise<Buffer[]> {
    const rows = (await this.dataSource.query(
      `SELECT record_key FROM ${this.names.parkedKeysTable}
        WHERE consumer_group = $1 AND state = 'releasing' ORDER BY updated_at LIMIT $2`,
      [group, limit],
    )) as { record_key: Buffer }[];
    return rows.map((row) => row.record_key);
  }

  async claim(group: string, key: Buffer): Promise<ParkedDrain | undefined> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    const lock = `${this.names.parkingLockPrefix}${group}:${key.toString('base64')}`;
    try {
      const [row] = (await runner.query(`SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS held`, [
        lock,
      ])) as { held: boolean }[];
      if (row?.held) return new PostgresDrain(runner, this.names, group, key, lock);
    } catch (error) {
      await runner.release();
      throw error;
    }
    await runner.release();
    return undefined;
  }

  async parkedBehind(
    group: string,
    key: Buffer,
    limit: number,
  ): Promise<{ count: number; origins: RecordOrigin[] }> {
    const rows = (await this.dataSource.query(
      `SELECT source_topic, source_partition, source_offset::text AS source_offset, count(*) OVER () AS total
         FROM ${this.names.parkedRecordsTable}
        WHERE consumer_group = $1 AND record_key = $2 ORDER BY seq LIMIT $3`,
      [group, key, limit],
    )) as { source_topic: string; source_partition: number; source_offset: string; total: string }[];
    return {
      count: Number(rows[0]?.total ?? 0),
      origins: rows.map((row) => ({
        topic: row.source_topic,
        partition: row.source_partition,
        offset: row.source_offset,
      })),
    };
  }

  async stats(group: string): Promise<ParkingStats> {
    const [row] = (await this.dataSource.query(
      `SELECT count(DISTINCT record_key) AS keys, count(*) AS records, min(parked_at) AS oldest
         FROM ${this.names.parkedRecordsTable} WHERE consumer_group = $1`,
      [group],
    )) as { keys: string; records: string; oldest: Date | null }[];
    return {
      keys: Number(row?.keys ?? 0),
      records: Number(row?.records ?? 0),
      oldestParkedAt: row?.oldest ?? undefined,
    };
  }
}

/** One key held by this process: its queries run on the connection that holds the advisory lock. */
class PostgresDrain implements ParkedDrain {
  constructor(
    private readonly runner: QueryRunner,
    private readonly names: OutboxNames,
    private readonly group: string,
    private readonly key: Buffer,
    private readonly lock: string,
  ) {}

  next(): Promise<ParkedRecord | undefined> {
    const { parkedKeysTable, parkedRecordsTable } = this.names;
    return this.runner.manager.transaction(async (manager) => {
      const state = await lockKey(manager, parkedKeysTable, this.group, this.key);
      if (state !== 'releasing') return undefined;
      const [row] = (await manager.query(
        `SELECT record_key, source_topic, source_partition, source_offset::text AS source_offset, value,
                headers, record_timestamp
           FROM ${parkedRecordsTable} WHERE consumer_group = $1 AND record_key = $2 ORDER BY seq LIMIT 1`,
        [this.group, this.key],
      )) as RecordRow[];
      if (row) return recordOf(row);
      // Nothing left, and no park can slip in: a park waits for the row lock held here.
      await manager.query(`DELETE FROM ${parkedKeysTable} WHERE consumer_group = $1 AND record_key = $2`, [
        this.group,
        this.key,
      ]);
      return undefined;
    });
  }

  async settle(record: ParkedRecord, head?: HeadState): Promise<void> {
    const { parkedKeysTable, parkedRecordsTable } = this.names;
    const { topic, partition, offset } = record.origin;
    await this.runner.manager.transaction(async (manager) => {
      await manager.query(
        `DELETE FROM ${parkedRecordsTable}
          WHERE consumer_group = $1 AND source_topic = $2 AND source_partition = $3 AND source_offset = $4`,
        [this.group, topic, partition, offset],
      );
      if (head === undefined) return;
      await manager.query(
        `UPDATE ${parkedKeysTable}
            SET state = $3, head_topic = $4, head_partition = $5, head_offset = $6, updated_at = now()
          WHERE consumer_group = $1 AND record_key = $2`,
        [this.group, this.key, head, topic, partition, offset],
      );
    });
  }

  async close(): Promise<void> {
    try {
      await this.runner.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [this.lock]);
    } finally {
      await this.runner.release();
    }
  }
}

/** Locks the key's row for the transaction; its state, or undefined when the key is not parked. */
async function lockKey(
  manager: EntityManager,
  table: string,
  group: string,
  key: Buffer,
): Promise<string | undefined> {
  const [row] = (await manager.query(
    `SELECT state FROM ${table} WHERE consumer_group = $1 AND record_key = $2 FOR UPDATE`,
    [group, key],
  )) as { state: string }[];
  return row?.state;
}

/** TypeORM answers an UPDATE … RETURNING on Postgres with `[rows, count]`. */
function updatedRows(result: unknown): number {
  if (!Array.isArray(result)) return 0;
  const [rows, count] = result as [unknown, unknown];
  if (typeof count === 'number') return count;
  return Array.isArray(rows) ? rows.length : result.length;
}

/** Headers as JSON: every value as base64 bytes, repeats kept, so what is released is what was read. */
function encodeHeaders(headers: RawHeaders): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const values = typeof value === 'string' || Buffer.isBuffer(value) ? [value] : value;
    out[name] = values.map((v) => (typeof v === 'string' ? Buffer.from(v) : v).toString('base64'));
  }
  return out;
}

function recordOf(row: RecordRow): ParkedRecord {
  const headers: Record<string, Buffer | Buffer[]> = {};
  for (const [name, values] of Object.entries(row.headers)) {
    const buffers = values.map((v) => Buffer.from(v, 'base64'));
    headers[name] = buffers.length === 1 ? buffers[0]! : buffers;
  }
  return {
    origin: { topic: row.source_topic, partition: row.source_partition, offset: row.source_offset },
    key: row.record_key,
    value: row.value,
    headers,
    timestamp: row.record_timestamp,
  };
}
