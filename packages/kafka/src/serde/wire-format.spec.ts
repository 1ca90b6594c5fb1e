import { decodeWireFormat, encodeWireFormat } from './wire-format.js';

describe('Confluent wire format', () => {
  it('frames the body behind magic byte 0 and a big-endian schema id', () => {
    const framed = encodeWireFormat(258, Buffer.from([7, 8]));
    expect([...framed]).toEqual([0, 0, 0, 1, 2, 7, 8]);
    const { schemaId, body } = decodeWireFormat(framed);
    expect(schemaId).toBe(258);
    expect([...body]).toEqual([7, 8]);
  });

  it.each([
    ['a JSON value', Buffer.from('{"a":1}')],
    ['an empty value', Buffer.alloc(0)],
    ['a tombstone', null],
    ['a truncated header', Buffer.from([0, 0, 1])],
  ])('rejects %s as DECODE_BAD_MAGIC_BYTE, not retriable', (_name, value) => {
    expect(() => decodeWireFormat(value)).toThrow(
      expect.objectContaining({ code: 'DECODE_BAD_MAGIC_BYTE', retriable: false }),
    );
  });
});
