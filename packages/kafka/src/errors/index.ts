// Error codes only: code that maps them (an HTTP problem mapper, DLQ tooling) imports this subpath and loads
// neither kafkajs, the registry client nor Nest.
export { KafkaErrorCodes, isDecodeErrorCode } from '../error-codes.js';
export type { KafkaErrorCode } from '../error-codes.js';
