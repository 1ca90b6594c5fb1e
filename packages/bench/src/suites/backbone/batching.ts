import type { EncodedRecord } from '@tributary/kafka';

/** Bytes of a record as the relay counts them against maxBatchBytes: value, key and headers. The relay
 * measures stored jsonb; the JSON text is within a few bytes of it, close enough to cut batches alike. */
export function relayRecordBytes(record: EncodedRecord): number {
  return (
    record.value.length + Buffer.byteLength(record.key) + Buffer.byteLength(JSON.stringify(record.headers))
  );
}

/**
 * Cuts records into consecutive batches the way the relay does: at most `maxRecords` records and at most
 * `maxBytes` bytes, but always at least one record, so an oversized record still goes out alone.
 * Returns the end index (exclusive) of each batch.
 */
export function batchEnds(records: readonly EncodedRecord[], maxRecords: number, maxBytes: number): number[] {
  const ends: number[] = [];
  let count = 0;
  let bytes = 0;
  for (let i = 0; i < records.length; i++) {
    const size = relayRecordBytes(records[i]!);
    if (count > 0 && (count === maxRecords || bytes + size > maxBytes)) {
      ends.push(i);
      count = 0;
      bytes = 0;
    }
    count += 1;
    bytes += size;
  }
  if (count > 0) ends.push(records.length);
  return ends;
}
