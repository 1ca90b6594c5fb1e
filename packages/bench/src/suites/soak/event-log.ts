import pg from 'pg';

/** Ingestion's event-log entries that produced no event, per provider and status: why a webhook did not move an order. */
export interface UnmappedWebhooks {
  readonly provider: string;
  readonly status: string;
  readonly reason: string;
  readonly entries: number;
}

/**
 * Reads ingestion's event log straight from its schema (the soak owns the private stack): entries left
 * unresolved, invalid, failed or of an unknown type at the end of the drain. An order stuck after its
 * provider called back is explained here, e.g. a tracker update still waiting for the shipment's refs.
 */
export async function unmappedWebhooks(databaseUrl: string, schema: string): Promise<UnmappedWebhooks[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<UnmappedWebhooks>(
      `SELECT provider, status, count(*)::int AS entries, left(min(coalesce(status_reason, '')), 160) AS reason
       FROM ${pg.escapeIdentifier(schema)}.event_log
       WHERE source = 'webhook' AND status IN ('unresolved', 'invalid', 'failed', 'unknown_type')
       GROUP BY provider, status ORDER BY entries DESC, provider, status`,
    );
    return rows;
  } finally {
    await client.end();
  }
}
