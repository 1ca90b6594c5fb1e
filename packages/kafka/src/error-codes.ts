/**
 * Stable error codes raised by this package. They travel in `tributary-error-code` headers, alert labels and
 * DLQ tooling, so they are part of the public contract: add codes, never rename them.
 */
export const KafkaErrorCodes = {
  /** The payload does not match its Avro schema. Not retriable: the producer has a bug. */
  SCHEMA_VALIDATION_FAILED: 'SCHEMA_VALIDATION_FAILED',
  /** The registry refused the schema as incompatible with the subject's earlier versions. */
  SCHEMA_INCOMPATIBLE: 'SCHEMA_INCOMPATIBLE',
  /** The registry rejected the schema or the subject's compatibility level differs from ours. */
  SCHEMA_REGISTRATION_FAILED: 'SCHEMA_REGISTRATION_FAILED',
  /**
   * The subject does not hold the schema and auto-registration is off (production): `npm run
   * schemas:register` is the deploy step that puts it there. Not retriable until someone does.
   */
  SCHEMA_NOT_REGISTERED: 'SCHEMA_NOT_REGISTERED',
  /** Timeout, refused connection or 5xx from the registry. Retriable: nothing is wrong with the record. */
  SCHEMA_REGISTRY_UNAVAILABLE: 'SCHEMA_REGISTRY_UNAVAILABLE',
  /** An event type that no EventDefinition (encoder) or no handler (consumer) knows. */
  UNKNOWN_EVENT_TYPE: 'UNKNOWN_EVENT_TYPE',
  DECODE_BAD_MAGIC_BYTE: 'DECODE_BAD_MAGIC_BYTE',
  DECODE_UNKNOWN_SCHEMA: 'DECODE_UNKNOWN_SCHEMA',
  DECODE_CORRUPT_AVRO: 'DECODE_CORRUPT_AVRO',
  DECODE_MISSING_HEADERS: 'DECODE_MISSING_HEADERS',
  /** The writer schema cannot be read with the consumer's (reader) schema for that event type. */
  DECODE_INCOMPATIBLE_SCHEMA: 'DECODE_INCOMPATIBLE_SCHEMA',
  /**
   * A retry tier, DLQ or resolution topic of the consumer's own group is gone (deleted) and could not be
   * recreated. Retriable: the record waits on its partition until the topic exists again.
   */
  GROUP_TOPIC_MISSING: 'GROUP_TOPIC_MISSING',
  /** Topics were created but their partitions got no leader in time. Retriable: the cluster is busy. */
  TOPIC_NOT_READY: 'TOPIC_NOT_READY',
} as const;

export type KafkaErrorCode = (typeof KafkaErrorCodes)[keyof typeof KafkaErrorCodes];

/** True for the codes of records that can never be decoded; counted as `undecodable`. */
export function isDecodeErrorCode(code: string): boolean {
  return code.startsWith('DECODE_');
}
