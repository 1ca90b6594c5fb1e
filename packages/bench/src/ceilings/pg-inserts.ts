import type { EncodedRecord } from '@tributary/kafka';
import pg from 'pg';
import type { Figures } from '../suites/backbone/figures.js';

export interface PgInsertsOptions {
  /** A database the bench owns; the table is created here. */
  readonly url: string;
  readonly records: readonly EncodedRecord[];
  readonly writers: number;
  readonly transactionSize: number;
}

/**
 * The ceiling for the outbox's write side: the same rows, the same concurrency and transaction size, one
 * multi-row INSERT per transaction through plain `pg` — but into a table with a bare primary key, no
 * unique event id, no partial index, no NOTIFY, no TypeORM. Latency of a row: its transaction's duration.
 */
export async function pgInsertsCeiling(options: PgInsertsOptions): Promise<Figures> {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.writers,
    application_name: 'tributary-bench',
  });
  try {
    await pool.query(
      `CREATE TABLE bench_raw_insert (id bigserial PRIMARY KEY, topic text NOT NULL, key text NOT NULL,
         value bytea NOT NULL, headers jsonb NOT NULL)`,
    );
    const { records } = options;
    const latenciesMs = new Float64Array(records.length);
    let next = 0;
    const started = performance.now();
    const writer = async () => {
      const client = await pool.connect();
      try {
        for (;;) {
          const from = next;
          if (from >= records.length) return;
          const to = Math.min(records.length, from + options.transactionSize);
          next = to;
          const rows = records.slice(from, to);
          const began = performance.now();
          await client.query('BEGIN');
          await client.query(
            `INSERT INTO bench_raw_insert (topic, key, value, headers)
             SELECT * FROM unnest($1::text[], $2::text[], $3::bytea[], $4::jsonb[])`,
            [
              rows.map((r) => r.topic),
              rows.map((r) => r.key),
              rows.map((r) => r.value),
              rows.map((r) => JSON.stringify(r.headers)),
            ],
          );
          await client.query('COMMIT');
          latenciesMs.fill(performance.now() - began, from, to);
        }
      } finally {
        client.release();
      }
    };
    await Promise.all(Array.from({ length: options.writers }, writer));
    return { events: records.length, elapsedMs: performance.now() - started, latenciesMs };
  } finally {
    await pool.end();
  }
}
