import pg from 'pg';

/** What the databases hold about one shipment's tracking callbacks: where its `delivered` stopped. */
export interface ShipmentTrace {
  readonly shipmentId: string;
  readonly lines: readonly string[];
}

/**
 * For each shipment, EasyPost's id from the connector's `external_refs`, then ingestion's event-log entries of
 * its tracker webhooks (status, tracker status), the events they mapped to, those events' outbox rows (published
 * or not; absent once cleaned up) and whether the soak's tap saw them on Kafka. Read only when an order is stuck.
 */
export async function traceShipments(
  databaseUrl: string,
  ingestionSchema: string,
  shipmentIds: readonly string[],
  seenOnKafka: (eventId: string) => boolean,
): Promise<ShipmentTrace[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const refSchemas = await client.query<{ schema: string }>(
      `SELECT table_schema AS schema FROM information_schema.tables WHERE table_name = 'external_refs'`,
    );
    const s = pg.escapeIdentifier(ingestionSchema);
    const traces: ShipmentTrace[] = [];
    for (const shipmentId of shipmentIds.slice(0, 10)) {
      const lines: string[] = [];
      const carrierIds = new Set<string>();
      for (const { schema } of refSchemas.rows) {
        const refs = await client.query<{ external_id: string }>(
          `SELECT external_id FROM ${pg.escapeIdentifier(schema)}.external_refs
           WHERE provider = 'easypost' AND external_type = 'shipment' AND internal_id = $1`,
          [shipmentId],
        );
        for (const ref of refs.rows) carrierIds.add(ref.external_id);
      }
      if (carrierIds.size === 0) lines.push('no EasyPost shipment recorded for it in external_refs');
      for (const carrierId of carrierIds) {
        const entries = await client.query<{
          id: string;
          status: string;
          reason: string | null;
          tracker: string | null;
          received: string;
        }>(
          `SELECT id::text AS id, status, status_reason AS reason, payload->'result'->>'status' AS tracker,
                  received_at::text AS received
           FROM ${s}.event_log WHERE provider = 'easypost' AND payload->'result'->>'shipment_id' = $1
           ORDER BY received_at`,
          [carrierId],
        );
        lines.push(`${carrierId}: ${entries.rows.length} tracker webhooks in the event log`);
        for (const entry of entries.rows) {
          const events = await client.query<{ event_id: string; topic: string }>(
            `SELECT event_id::text AS event_id, topic FROM ${s}.event_log_events WHERE log_id = $1`,
            [entry.id],
          );
          const mapped = await Promise.all(
            events.rows.map(async (event) => {
              const outbox = await client.query<{ published: string | null }>(
                `SELECT published_at::text AS published FROM ${s}.outbox WHERE event_id = $1 AND topic = $2`,
                [event.event_id, event.topic],
              );
              const row = outbox.rows[0];
              const delivery = !row
                ? 'no outbox row'
                : row.published
                  ? `published ${row.published}`
                  : 'unpublished';
              return `${event.event_id} → ${delivery}, ${seenOnKafka(event.event_id) ? 'on Kafka' : 'NOT on Kafka'}`;
            }),
          );
          lines.push(
            `  ${entry.received} tracker ${entry.tracker ?? '?'}: ${entry.status}${entry.reason ? ` (${entry.reason})` : ''}${mapped.length > 0 ? `; ${mapped.join('; ')}` : ''}`,
          );
        }
      }
      traces.push({ shipmentId, lines });
    }
    return traces;
  } finally {
    await client.end();
  }
}
