import type { DomainEvent } from '@tributary/contracts';

/**
 * A record ready for Kafka: Avro bytes in Confluent wire format plus string headers. The outbox stores
 * exactly this, so the relay is a byte pipe and validation happens before the business transaction commits.
 */
export interface EncodedRecord {
  readonly topic: string;
  readonly key: string;
  readonly value: Buffer;
  readonly headers: Readonly<Record<string, string>>;
  /** ce_id, repeated here so sinks and logs need not parse headers. */
  readonly eventId: string;
}

/** Where encoded records go. The Kafka producer is one; tests may use others. */
export interface RecordSink {
  /** Resolves only when every record is acknowledged (acks=all), in the given order per partition. */
  send(records: readonly EncodedRecord[]): Promise<void>;
}

/** Turns a domain event into an EncodedRecord: Avro-encodes `data` against its registered schema and
 * sets the CloudEvents headers. Throws a TributaryError (code `SCHEMA_VALIDATION_FAILED`, not retriable)
 * when the payload does not match, so a bad event never reaches the outbox. */
export interface EventEncoder {
  encode(event: DomainEvent): Promise<EncodedRecord>;
  /**
   * Every record the event is published as: its own, then one per deprecated major it is translated to
   * (docs/migrations/README.md). The outbox writes them all; without it, `encode` alone.
   */
  encodeAll?(event: DomainEvent): Promise<EncodedRecord[]>;
}
