import avro from 'avsc';
import { decodeValue } from './value-decoder.js';

const type = avro.Type.forSchema({
  type: 'record',
  name: 'Thing',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'blob', type: 'bytes' },
  ],
});

function wire(schemaId: number, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt32BE(schemaId, 1);
  return Buffer.concat([header, body]);
}

describe('decodeValue', () => {
  const schemas = {
    schemaById: async (id: number) => {
      if (id === 7) return type;
      throw Object.assign(new Error(`schema ${id} not found`), {
        code: 'DECODE_UNKNOWN_SCHEMA',
        retriable: false,
      });
    },
  };

  it('decodes Avro with the writer schema, bytes as base64', async () => {
    const value = wire(7, type.toBuffer({ id: 'a', blob: Buffer.from([1, 2]) }));
    expect(await decodeValue(value, schemas)).toEqual({
      kind: 'avro',
      schemaId: 7,
      json: { id: 'a', blob: 'AQI=' },
    });
  });

  it('says why a value cannot be decoded instead of throwing', async () => {
    expect(await decodeValue(wire(8, Buffer.from([1])), schemas)).toMatchObject({
      kind: 'none',
      reason: expect.stringMatching(/DECODE_UNKNOWN_SCHEMA/),
    });
    expect(await decodeValue(Buffer.from([0xff, 0xfe]), schemas)).toMatchObject({ kind: 'none' });
    expect(await decodeValue(null, schemas)).toMatchObject({ kind: 'none' });
    expect(await decodeValue(Buffer.from('{"a":1}'), schemas)).toEqual({ kind: 'json', json: { a: 1 } });
  });
});
