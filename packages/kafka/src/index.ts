export type { EncodedRecord, EventEncoder, RecordSink } from './records.js';
export { KafkaErrorCodes, isDecodeErrorCode } from './error-codes.js';
export type { KafkaErrorCode } from './error-codes.js';
export { silentLogger, stderrLogger } from './logger.js';
export type { Logger } from './logger.js';
export { headerInteger, headerText } from './headers.js';
export type { RawHeaderValue, RawHeaders } from './headers.js';
export { createKafkaClient, ensureTopics, parseBrokers, partitionCounts } from './kafka-client.js';
export type { KafkaClientOptions, TopicSpec } from './kafka-client.js';

export {
  AVRO_CONTENT_TYPE,
  CeHeaders,
  cloudEventHeaders,
  envelopeFromHeaders,
  isValidTraceparent,
  newTraceparent,
} from './serde/cloud-events.js';
export { SharedLoadCache } from './serde/schema-cache.js';
export { SchemaRegistryClient, recordFullName, topicRecordSubject } from './serde/schema-registry-client.js';
export type { SchemaRegistryClientOptions } from './serde/schema-registry-client.js';
export { AvroEventEncoder } from './serde/avro-event-encoder.js';
export type { AvroEventEncoderOptions } from './serde/avro-event-encoder.js';
export { AvroEventDecoder } from './serde/avro-event-decoder.js';
export type { AvroEventDecoderOptions, ConsumedRecord, EventDecoder } from './serde/avro-event-decoder.js';
export { decodeWireFormat, encodeWireFormat } from './serde/wire-format.js';

export { KafkaEventProducer } from './producer.js';
export type { EventProducerOptions } from './producer.js';
