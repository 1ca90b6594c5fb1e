import type { EncodedRecord } from '@tributary/kafka';
import type pg from 'pg';
import type { RelaySession } from './relay-lease.js';
import { shardOfKeySql } from './relay-shards.js';

export interface OutboxRow {
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

export interface Batch {
  readonly rows: OutboxRow[];
  /** The batch was cut by batchSize or maxBatchBytes: more rows are probably waiting. */
  readonly more: boolean;
}

/** Which rows a store reads: shard `shard` of `shards` (by key hash); one shard is the whole outbox. */
export interface ShardOf {
  readonly shard: number;
  readonly shards: number;
}

/**
 * The relay's reads and marks of one shard's unpublished outbox rows, on the session that holds the shard's
 * lock: a relay that lost its session can no longer read or mark anything.
 */
export class OutboxStore {
  readonly #client: RelaySession;
  readonly #table: string;
  readonly #batchSize: number;
  readonly #maxBatchBytes: number;
  readonly #shardFilter: string;

  constructor(
    client: RelaySession,
    table: string,
    limits: { readonly batchSize: number; readonly maxBatchBytes: number },
    shard: ShardOf = { shard: 0, shards: 1 },
  ) {
    this.#client = client;
    this.#table = table;
    this.#batchSize = limits.batchSize;
    this.#maxBatchBytes = limits.maxBatchBytes;
    // Walks the unpublished index in id order and skips other shards' rows: a shard reads about `shards`
    // index entries per row it keeps, a cost that stays small next to the Kafka round trip (see the backbone
    // bench). Integers only, so the literal is safe in the SQL text.
    this.#shardFilter =
      shard.shards > 1 ? `AND ${shardOfKeySql('key', String(shard.shards))} = ${String(shard.shard)}` : '';
  }

  /**
   * The next rows in id order, at most batchSize of them and at most maxBatchBytes (but always one): a
   * Kafka request over the broker's size limit would be refused on every retry and stall the outbox. The
   * byte bound is applied in Postgres so that rows left for the next batch are not transferred twice.
   */
  fetch(inFlight: readonly string[]): Promise<Batch> {
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
             FROM ${this.#table}
             WHERE published_at IS NULL AND NOT (id BETWEEN $2::bigint AND $4::bigint) ${this.#shardFilter}
             ORDER BY id
             LIMIT $1
           ) AS page
         ) AS sized
         WHERE running <= $3 OR running = size
         ORDER BY sized.id`,
      // The batch in flight is one id range: a range test uses the index where `<> ALL(array)` reads
      // and discards every in-flight row. A row that commits late inside that range waits one fetch.
      values: [this.#batchSize, inFlight[0] ?? '0', this.#maxBatchBytes, inFlight.at(-1) ?? '-1'],
    };
    return this.#client.query<OutboxRow>(query).then(({ rows }) => {
      const fetched = rows[0]?.fetched ?? 0;
      return { rows, more: fetched === this.#batchSize || rows.length < fetched };
    });
  }

  async markPublished(ids: readonly string[]): Promise<void> {
    // One statement for the whole batch: per-row round trips would cap throughput far below Kafka's.
    await this.#client.query(`UPDATE ${this.#table} SET published_at = now() WHERE id = ANY($1::bigint[])`, [
      ids,
    ]);
  }
}

export function toRecord(row: OutboxRow): EncodedRecord {
  return {
    topic: row.topic,
    key: row.key,
    value: row.value,
    headers: JSON.parse(row.headers) as Record<string, string>,
    eventId: row.event_id,
  };
}
