import type { EncodedRecord } from '@tributary/kafka';
import { toOutboxColumns } from './outbox-rows.js';

const record = (overrides: Partial<EncodedRecord> = {}): EncodedRecord => ({
  topic: 'commerce.order.v1',
  key: 'order-1',
  value: Buffer.from([0, 0, 0, 0, 1, 2]),
  headers: { ce_subject: 'order-1', ce_id: '0190e0f4-7c4f-7bb0-9d2a-3c1f2b8a9e10' },
  eventId: '0190e0f4-7c4f-7bb0-9d2a-3c1f2b8a9e10',
  ...overrides,
});

describe('toOutboxColumns', () => {
  it('turns records into column arrays in order', () => {
    const second = record({ key: 'order-2', eventId: '0190e0f4-7c4f-7bb0-9d2a-3c1f2b8a9e11', headers: {} });
    const columns = toOutboxColumns([record(), second]);
    expect(columns.keys).toEqual(['order-1', 'order-2']);
    expect(columns.eventIds).toEqual([record().eventId, second.eventId]);
    expect(columns.headers[0]).toBe(JSON.stringify(record().headers));
    // Without ce_subject the key is the aggregate id.
    expect(columns.aggregateIds).toEqual(['order-1', 'order-2']);
  });

  it.each([
    ['an empty topic', { topic: '' }],
    ['an empty key', { key: '' }],
    ['a value that is not a Buffer', { value: 'bytes' as unknown as Buffer }],
    ['an event id that is not a UUID', { eventId: 'evt_123' }],
  ])('rejects %s as a non-retriable OUTBOX_INVALID_RECORD', (_what, overrides) => {
    expect(() => toOutboxColumns([record(overrides)])).toThrow(
      expect.objectContaining({ code: 'OUTBOX_INVALID_RECORD', retriable: false }),
    );
  });
});
