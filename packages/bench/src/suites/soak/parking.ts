import pg from 'pg';

/** A key whose records wait behind its head (docs/architecture.md#ordering-and-concurrency), as the soak reports it. */
export interface ParkedKey {
  readonly schema: string;
  readonly group: string;
  readonly key: string;
  readonly state: string;
  readonly records: number;
  readonly since: string;
}

/**
 * The keys still parked in every app's schema (each that has the table) at the end of the drain. A parked
 * key whose head is done should have been released; one still parked holds its later records back: an order
 * stuck behind it says so here.
 */
export async function parkedKeys(databaseUrl: string): Promise<ParkedKey[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const found: ParkedKey[] = [];
    const schemas = await client.query<{ schema: string }>(
      `SELECT table_schema AS schema FROM information_schema.tables WHERE table_name = 'parked_keys' ORDER BY 1`,
    );
    for (const { schema } of schemas.rows) {
      const s = pg.escapeIdentifier(schema);
      const { rows } = await client.query<Omit<ParkedKey, 'schema'>>(
        `SELECT k.consumer_group AS "group", convert_from(k.record_key, 'UTF8') AS key, k.state,
                (SELECT count(*)::int FROM ${s}.parked_records r
                  WHERE r.consumer_group = k.consumer_group AND r.record_key = k.record_key) AS records,
                k.parked_since::text AS since
         FROM ${s}.parked_keys k ORDER BY k.parked_since LIMIT 50`,
      );
      found.push(...rows.map((row) => ({ schema, ...row })));
    }
    return found;
  } finally {
    await client.end();
  }
}
