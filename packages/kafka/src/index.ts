export type { EncodedRecord, EventEncoder, RecordSink } from './records.js';
export { KafkaErrorCodes, isDecodeErrorCode } from './error-codes.js';
export type { KafkaErrorCode } from './error-codes.js';
export { silentLogger, stderrLogger } from './logger.js';
export type { Logger } from './logger.js';
export { headerInteger, headerText } from './headers.js';
export type { RawHeaderValue, RawHeaders } from './headers.js';
export {
  createKafkaClient,
  ensureCatalogueTopics,
  ensureTopics,
  parseBrokers,
  partitionCounts,
} from './kafka-client.js';
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
export { AvroEventEncoder, TRANSLATED_FROM_HEADER } from './serde/avro-event-encoder.js';
export type { AvroEventEncoderOptions } from './serde/avro-event-encoder.js';
export { AvroEventDecoder } from './serde/avro-event-decoder.js';
export type { AvroEventDecoderOptions, ConsumedRecord, EventDecoder } from './serde/avro-event-decoder.js';
export { decodeWireFormat, encodeWireFormat } from './serde/wire-format.js';

export { KafkaEventProducer } from './producer.js';
export type { EventProducerOptions } from './producer.js';

export { ReliableConsumer } from './consumer/reliable-consumer.js';
export { BatchRecordFailed } from './consumer/batch-record-failed.js';
export type {
  BatchEventHandler,
  EventHandler,
  EventHandlerContext,
  ReliableConsumerOptions,
} from './consumer/reliable-consumer.js';
export {
  DEFAULT_RETRY_TIERS,
  dlqResolvedTopicName,
  dlqTopicName,
  firstRetryTopic,
  parseConsumerTopic,
  parseDelay,
  retryTiersFor,
  retryTierRetentionMs,
  retryTopicName,
  retryTopicSpecs,
} from './consumer/retry-topics.js';
export type { RetryTier } from './consumer/retry-topics.js';
export {
  DEAD_LETTER_DISCARDED_HEADER,
  DEAD_LETTER_ID_HEADER,
  ParkingHeaders,
  REPLAY_TOPIC_HEADER,
  RetryHeaders,
  deliveryAttempt,
  forwardingHeaders,
  retryDueAt,
} from './consumer/forwarding-headers.js';
export type { ForwardingInput } from './consumer/forwarding-headers.js';
export { decideOnFailure, pauseUntilDue } from './consumer/failure-policy.js';
export type { Classification, FailureAction, FailureContext } from './consumer/failure-policy.js';
export { DEFAULT_IN_PROCESS_RETRY, withInProcessRetry } from './consumer/in-process-retry.js';
export type { InProcessRetryHooks, InProcessRetryOptions } from './consumer/in-process-retry.js';
export type { PauseReason } from './consumer/partition-pauses.js';
export { sourceAssignmentOf } from './consumer/source-assignment.js';
export type { SourceAssignment, SourceAssignmentListener } from './consumer/source-assignment.js';
export { sameOrigin } from './consumer/key-parking.js';
export type {
  HeadState,
  KeyParking,
  OrderingOptions,
  ParkedDrain,
  ParkedRecord,
  ParkingStats,
  RecordOrigin,
} from './consumer/key-parking.js';
