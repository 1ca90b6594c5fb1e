export type { EncodedRecord, RecordSink } from './records.js';
