import type { EncodedRecord } from '@tributary/kafka';
import { batchEnds, relayRecordBytes } from './batching.js';

function record(valueBytes: number): EncodedRecord {
  return { topic: 't', key: 'k', value: Buffer.alloc(valueBytes), headers: {}, eventId: 'e' };
}

describe('batchEnds', () => {
  it('counts value, key and headers like the relay', () => {
    // 100 value + 1 key + 2 for "{}"
    expect(relayRecordBytes(record(100))).toBe(103);
  });

  it('cuts at the record limit', () => {
    const records = Array.from({ length: 7 }, () => record(10));
    expect(batchEnds(records, 3, 1_000_000)).toEqual([3, 6, 7]);
  });

  it('cuts at the byte limit, which may come first', () => {
    const records = Array.from({ length: 5 }, () => record(97)); // 100 bytes each
    expect(batchEnds(records, 1000, 250)).toEqual([2, 4, 5]);
    expect(batchEnds(records, 1000, 300)).toEqual([3, 5]);
  });

  it('sends an oversized record alone instead of stalling', () => {
    const records = [record(10), record(5000), record(10)];
    expect(batchEnds(records, 1000, 100)).toEqual([1, 2, 3]);
  });

  it('has no batch for no records', () => {
    expect(batchEnds([], 10, 10)).toEqual([]);
  });
});
