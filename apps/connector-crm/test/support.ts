import { fileURLToPath } from 'node:url';
import { connectorProcessHarness, sampleEvent } from '@tributary/connector-sdk/testing';
import type { ConnectorProcessHarness } from '@tributary/connector-sdk/testing';
import type { DomainEvent } from '@tributary/contracts';
import { AvroEventDecoder, SchemaRegistryClient } from '@tributary/kafka';
import type { RawHeaders } from '@tributary/kafka';
import { stackFromEnv } from '@tributary/testkit';
import { v7 as uuidv7 } from 'uuid';

export const SIM_TOKEN = 'pat-sim-conformance';

/**
 * connector-crm as a process on the real stack, against the provider simulator's HubSpot, with its own
 * database and consumer group: what the SDK's conformance suite drives. The trigger is a sampled
 * PaymentSucceeded with a fresh customerId (the sampler leaves optional fields null, and a null customerId
 * is, by design, no effect at all). `env` adds connector variables (OTEL_* in the tracing spec).
 */
export function crmHarness(env: Record<string, string> = {}): Promise<ConnectorProcessHarness> {
  return connectorProcessHarness({
    env,
    connectorId: 'crm',
    main: fileURLToPath(new URL('../dist/main.js', import.meta.url)),
    // The sim keys this route's ledger (and faults) by each input's objectWriteTraceId: our idempotency key.
    effectRoute: 'POST /crm/v3/objects/contacts/batch/upsert',
    providerEnv: (simUrl) => ({ HUBSPOT_API_BASE: simUrl, HUBSPOT_ACCESS_TOKEN: SIM_TOKEN }),
    eventType: 'payments.payment.succeeded',
    event: ({ eventId, subject }) =>
      sampleEvent('payments.payment.succeeded', { id: eventId, subject, data: { customerId: uuidv7() } }),
  });
}

/** The events the connector wrote to its outbox because of `eventId`, decoded as a consumer would. */
export async function outboxEvents(
  harness: ConnectorProcessHarness,
  eventId: string,
): Promise<DomainEvent[]> {
  const rows = await harness.query<{ key: string; value: Buffer; headers: RawHeaders }>(
    `SELECT key, value, headers FROM "${harness.schema}".outbox WHERE headers->>'causation-id' = $1 ORDER BY id`,
    [eventId],
  );
  const decoder = new AvroEventDecoder({
    registry: new SchemaRegistryClient({ url: stackFromEnv().registry.url }),
  });
  return Promise.all(
    rows.map((row) => decoder.decode({ key: Buffer.from(row.key), value: row.value, headers: row.headers })),
  );
}
