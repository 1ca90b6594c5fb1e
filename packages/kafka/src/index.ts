export type { EncodedRecord, EventEncoder, RecordSink } from './records.js';
