import { TributaryError } from '@tributary/contracts';
import { KafkaErrorCodes } from '../error-codes.js';

/** Confluent wire format: magic byte 0, then the schema id as a big-endian int32, then the Avro body. */
const MAGIC_BYTE = 0;
const HEADER_LENGTH = 5;

export function encodeWireFormat(schemaId: number, body: Buffer): Buffer {
  const header = Buffer.alloc(HEADER_LENGTH);
  header.writeUInt8(MAGIC_BYTE, 0);
  header.writeInt32BE(schemaId, 1);
  return Buffer.concat([header, body]);
}

export function decodeWireFormat(value: Buffer | null): { schemaId: number; body: Buffer } {
  if (value === null || value.length === 0) {
    throw new TributaryError(
      KafkaErrorCodes.DECODE_BAD_MAGIC_BYTE,
      'record has no value (tombstone or empty)',
    );
  }
  if (value[0] !== MAGIC_BYTE) {
    throw new TributaryError(
      KafkaErrorCodes.DECODE_BAD_MAGIC_BYTE,
      `first byte is 0x${value[0]!.toString(16).padStart(2, '0')}, not the Confluent magic byte 0x00`,
    );
  }
  if (value.length < HEADER_LENGTH) {
    throw new TributaryError(
      KafkaErrorCodes.DECODE_BAD_MAGIC_BYTE,
      `value is ${value.length} bytes, shorter than the 5-byte Confluent header`,
    );
  }
  return { schemaId: value.readInt32BE(1), body: value.subarray(HEADER_LENGTH) };
}
