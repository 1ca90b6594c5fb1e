import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import { eventId, ownedFields } from './entities.js';
import type { BenchEntityName, ExternalRefRow, OwnerRow, ProjectionRow } from './entities.js';
import type { PageBreakdown, SqlCeiling } from './figures.js';

/** The reconciler's schema (its DATABASE_SCHEMA default): its migrations create the tables at boot. */
export const RECONCILER_SCHEMA = 'reconciliation';
/** The bench's own tables for the SQL ceiling, next to the reconciler's, dropped with the database. */
const BENCH_SCHEMA = 'bench';
const BATCH = 10_000;

/**
 * Inserts the projection rows as the platform's events would have left them, 10,000 a statement through
 * `unnest` (one round trip per batch; the event path, which is not what this suite measures, would take
 * minutes). Agreed with the owner when their last event was applied, as after an earlier clean sweep.
 */
export async function insertProjections(
  pool: pg.Pool,
  entity: BenchEntityName,
  rows: readonly ProjectionRow[],
): Promise<void> {
  for (let start = 0; start < rows.length; start += BATCH) {
    const batch = rows.slice(start, start + BATCH);
    await pool.query(
      `INSERT INTO "${RECONCILER_SCHEMA}".projections
         (entity, entity_id, fields, fields_hash, rank, external_id, deleted, last_event_id, last_event_type,
          last_event_at, agreed_hash, agreed_at)
       SELECT $1, u.entity_id, u.fields, u.hash, u.rank, u.external_id, false, u.event_id, u.event_type,
              to_timestamp(u.at / 1000.0), u.hash, to_timestamp(u.at / 1000.0)
       FROM unnest($2::text[], $3::jsonb[], $4::text[], $5::float8[], $6::text[], $7::text[], $8::text[], $9::float8[])
         AS u(entity_id, fields, hash, rank, external_id, event_id, event_type, at)`,
      [
        entity,
        batch.map((r) => r.entityId),
        batch.map((r) => JSON.stringify(r.fields)),
        batch.map((r) => r.hash),
        batch.map((r) => r.rank),
        batch.map((r) => r.externalId),
        batch.map(() => eventId()),
        batch.map((r) => r.lastEventType),
        batch.map((r) => r.lastEventAt),
      ],
    );
  }
  await pool.query(`ANALYZE "${RECONCILER_SCHEMA}".projections`);
}

/**
 * The connector's mappings its handler would have recorded (`external_refs` in its schema, made by its
 * migrations at boot), 10,000 a statement.
 */
export async function insertExternalRefs(
  pool: pg.Pool,
  schema: string,
  provider: string,
  rows: readonly ExternalRefRow[],
): Promise<void> {
  for (let start = 0; start < rows.length; start += BATCH) {
    const batch = rows.slice(start, start + BATCH);
    await pool.query(
      `INSERT INTO "${schema}".external_refs (provider, external_type, external_id, internal_id)
       SELECT $1, u.t, u.e, u.i FROM unnest($2::text[], $3::text[], $4::text[]) AS u(t, e, i)`,
      [
        provider,
        batch.map((r) => r.externalType),
        batch.map((r) => r.externalId),
        batch.map((r) => r.internalId),
      ],
    );
  }
  await pool.query(`ANALYZE "${schema}".external_refs`);
}

/** The run's findings by class. */
export async function findingsByClass(pool: pg.Pool, runId: string): Promise<Record<string, number>> {
  const { rows } = await pool.query<{ class: string; n: string }>(
    `SELECT class, count(*) AS n FROM "${RECONCILER_SCHEMA}".findings WHERE last_run_id = $1 GROUP BY class`,
    [runId],
  );
  return Object.fromEntries(rows.map((row) => [row.class, Number(row.n)]));
}

/**
 * The comparison alone, set-based: the owner copies the raw read returned go into a table (untimed), then
 * one statement joins them with the projection and counts the rows whose owned fields differ in any field
 * (or that have no local copy). It classifies nothing and records nothing: a floor for what comparing
 * 100,000 records costs Postgres, and a cross-check of the drift count.
 */
export async function sqlCompare(
  pool: pg.Pool,
  entity: BenchEntityName,
  owner: readonly OwnerRow[],
): Promise<SqlCeiling> {
  const table = `"${BENCH_SCHEMA}"."owner_${entity}"`;
  await pool.query(`CREATE SCHEMA IF NOT EXISTS "${BENCH_SCHEMA}"`);
  await pool.query(`DROP TABLE IF EXISTS ${table}`);
  await pool.query(
    `CREATE TABLE ${table} (external_id text PRIMARY KEY, entity_id text, fields jsonb NOT NULL)`,
  );
  for (let start = 0; start < owner.length; start += BATCH) {
    const batch = owner.slice(start, start + BATCH);
    await pool.query(`INSERT INTO ${table} SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[])`, [
      batch.map((r) => r.externalId),
      batch.map((r) => r.entityId),
      batch.map((r) => JSON.stringify(r.fields)),
    ]);
  }
  await pool.query(`ANALYZE ${table}`);
  // Field names come from the contract, never from input: safe to splice in.
  const differs = ownedFields(entity)
    .map((field) => `(p.fields ->> '${field}') IS DISTINCT FROM (o.fields ->> '${field}')`)
    .join(' OR ');
  const started = performance.now();
  const { rows } = await pool.query<{ compared: string; mismatches: string }>(
    `SELECT count(*) AS compared, count(*) FILTER (WHERE p.entity_id IS NULL OR ${differs}) AS mismatches
     FROM ${table} o
     LEFT JOIN "${RECONCILER_SCHEMA}".projections p ON p.entity = $1 AND p.entity_id = o.entity_id`,
    [entity],
  );
  const ms = performance.now() - started;
  return { rows: Number(rows[0]!.compared), mismatches: Number(rows[0]!.mismatches), ms };
}

/**
 * Follows each page request through the four timestamps both apps keep anyway: the reconciler's outbox row
 * of the request (created at the start of the transaction that asked for it, published after Kafka's ack),
 * the connector's inbox row (the start of the transaction that answered it, after the read), the connector's
 * outbox row of the answer (published after Kafka's ack), and the reconciler's inbox row of the answer (the
 * start of the transaction that compares it). `now()` is a transaction's start, hence the segments' cuts.
 * The first request (asked by the API's transaction, not a page's) is left out.
 */
export async function pageBreakdown(
  pool: pg.Pool,
  input: { runId: string; connectorSchema: string; connectorGroup: string; reconcilerGroup: string },
): Promise<PageBreakdown> {
  const r = `"${RECONCILER_SCHEMA}"`;
  const c = `"${input.connectorSchema}"`;
  const { rows } = await pool.query<Record<keyof PageBreakdown, string>>(
    `WITH pages AS (
       SELECT ro.created_at AS asked, ro.published_at AS request_out, ci.processed_at AS read_done,
              co.published_at AS answer_out, ri.processed_at AS answer_in
       FROM ${r}.outbox ro
       JOIN ${c}.inbox ci ON ci.consumer_group = $2 AND ci.event_id = ro.event_id::text
       JOIN ${c}.outbox co ON co.headers ->> 'causation-id' = ro.event_id::text
       JOIN ${r}.inbox ri ON ri.consumer_group = $3 AND ri.event_id = co.event_id::text
       WHERE ro.aggregate_id = $1
         AND ro.created_at > (SELECT min(created_at) FROM ${r}.outbox WHERE aggregate_id = $1)
     ),
     ms AS (
       SELECT extract(epoch FROM request_out - asked) * 1000 AS a,
              extract(epoch FROM read_done - request_out) * 1000 AS b,
              extract(epoch FROM answer_out - read_done) * 1000 AS c,
              extract(epoch FROM answer_in - answer_out) * 1000 AS d
       FROM pages
     )
     SELECT count(*) AS pages,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY a) AS "reconcilerPageAndRelay",
            percentile_cont(0.5) WITHIN GROUP (ORDER BY b) AS "connectorConsumeAndRead",
            percentile_cont(0.5) WITHIN GROUP (ORDER BY c) AS "connectorCommitAndRelay",
            percentile_cont(0.5) WITHIN GROUP (ORDER BY d) AS "reconcilerConsume"
     FROM ms`,
    [input.runId, input.connectorGroup, input.reconcilerGroup],
  );
  const row = rows[0]!;
  const n = (value: string | null) => (value === null ? Number.NaN : Number(value));
  return {
    pages: n(row.pages),
    reconcilerPageAndRelay: n(row.reconcilerPageAndRelay),
    connectorConsumeAndRead: n(row.connectorConsumeAndRead),
    connectorCommitAndRelay: n(row.connectorCommitAndRelay),
    reconcilerConsume: n(row.reconcilerConsume),
  };
}
