import type { EncodedRecord } from '@tributary/kafka';
import { invalid, PersistenceErrorCode } from '../errors.js';

/** Column arrays for one multi-row INSERT ... SELECT FROM unnest(...): one round trip whatever the count. */
export interface OutboxColumns {
  readonly topics: string[];
  readonly keys: string[];
  readonly values: Buffer[];
  readonly headers: string[];
  readonly eventIds: string[];
  readonly aggregateIds: string[];
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Checks records before they reach SQL, so a malformed record fails with a stable, non-retriable code
 * instead of a Postgres syntax error that a consumer would retry forever. */
export function toOutboxColumns(records: readonly EncodedRecord[]): OutboxColumns {
  const columns: OutboxColumns = {
    topics: [],
    keys: [],
    values: [],
    headers: [],
    eventIds: [],
    aggregateIds: [],
  };
  for (const record of records) {
    if (!record.topic)
      throw invalid(PersistenceErrorCode.outboxInvalidRecord, 'Outbox record without a topic.');
    if (!record.key) {
      throw invalid(
        PersistenceErrorCode.outboxInvalidRecord,
        `Outbox record for ${record.topic} without a key.`,
      );
    }
    if (!Buffer.isBuffer(record.value)) {
      throw invalid(
        PersistenceErrorCode.outboxInvalidRecord,
        `Outbox record ${record.eventId}: value is not a Buffer.`,
      );
    }
    if (!uuidPattern.test(record.eventId)) {
      throw invalid(
        PersistenceErrorCode.outboxInvalidRecord,
        `Outbox record for ${record.topic}: event id ${JSON.stringify(record.eventId)} is not a UUID.`,
      );
    }
    columns.topics.push(record.topic);
    columns.keys.push(record.key);
    columns.values.push(record.value);
    columns.headers.push(JSON.stringify(record.headers));
    columns.eventIds.push(record.eventId);
    // ce_subject is the aggregate id by contract (docs/architecture.md#topics); the key is the same id when a
    // header is missing.
    columns.aggregateIds.push(record.headers['ce_subject'] ?? record.key);
  }
  return columns;
}
