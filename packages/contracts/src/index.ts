export type { AvroRecordSchema, DomainEvent, EventDefinition } from './events.js';
export { TributaryError, classifyError } from './errors.js';
