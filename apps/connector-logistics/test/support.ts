import { fileURLToPath } from 'node:url';
import { connectorProcessHarness, sampleEvent } from '@tributary/connector-sdk/testing';
import type { ConnectorProcessHarness } from '@tributary/connector-sdk/testing';
import type { DomainEvent } from '@tributary/contracts';
import { AvroEventDecoder, SchemaRegistryClient } from '@tributary/kafka';
import type { RawHeaders } from '@tributary/kafka';
import { stackFromEnv } from '@tributary/testkit';

export const SIM_API_KEY = 'EZTK_sim_conformance';

/**
 * connector-logistics as a process on the real stack, against the provider simulator's EasyPost, with its
 * own database and consumer group: what the SDK's conformance suite drives. The trigger is a sampled
 * ShipmentRequested with a weight (the sampler leaves optional fields null, and a request without weight
 * goes to the DLQ by design).
 */
export function logisticsHarness(): Promise<ConnectorProcessHarness> {
  return connectorProcessHarness({
    connectorId: 'logistics',
    main: fileURLToPath(new URL('../dist/main.js', import.meta.url)),
    // The buy is the effect (a label bought); the sim keys it by Idempotency-Key, which is our event key.
    effectRoute: 'POST /v2/shipments/:id/buy',
    providerEnv: (simUrl) => ({
      EASYPOST_API_BASE: simUrl,
      EASYPOST_API_KEY: SIM_API_KEY,
      EASYPOST_FROM_NAME: 'Tributary Warehouse',
      EASYPOST_FROM_STREET1: '417 Montgomery Street',
      EASYPOST_FROM_CITY: 'San Francisco',
      EASYPOST_FROM_STATE: 'CA',
      EASYPOST_FROM_ZIP: '94104',
      EASYPOST_FROM_COUNTRY: 'US',
    }),
    eventType: 'logistics.shipment.requested',
    event: ({ eventId, subject }) =>
      sampleEvent('logistics.shipment.requested', { id: eventId, subject, data: { weightGrams: 1200 } }),
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
