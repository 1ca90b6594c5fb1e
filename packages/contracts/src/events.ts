/**
 * The shape every domain event has on the wire, independent of transport: CloudEvents attributes
 * (docs/architecture.md#topics) around an Avro-typed payload. `subject` is the stable aggregate id and is the
 * Kafka key.
 */
export interface DomainEvent<TType extends string = string, TData = unknown> {
  /** ce_id: UUIDv7, unique per event, the inbox and dedupe identity. */
  readonly id: string;
  /** ce_type, e.g. `payments.payment.succeeded`. */
  readonly type: TType;
  /** ce_source, the producing system, e.g. `/tributary/ingestion`. */
  readonly source: string;
  /** ce_subject: the aggregate id; the Kafka key, so per-aggregate order holds. */
  readonly subject: string;
  /** ce_time, RFC 3339. */
  readonly time: string;
  readonly data: TData;
  readonly correlationId?: string;
  readonly causationId?: string;
  /** W3C trace context. */
  readonly traceparent?: string;
}

/** One event type of the catalogue: where it goes and which Avro record describes its payload. */
export interface EventDefinition<TType extends string = string> {
  readonly type: TType;
  /** `<domain>.<aggregate>.v<major>` */
  readonly topic: string;
  /** Avro record full name, e.g. `tributary.payments.payment.PaymentSucceeded`. */
  readonly recordName: string;
  /** The parsed `.avsc` document. */
  readonly schema: AvroRecordSchema;
}

export interface AvroRecordSchema {
  readonly type: 'record';
  readonly name: string;
  readonly namespace?: string;
  readonly doc?: string;
  readonly fields: readonly unknown[];
}
