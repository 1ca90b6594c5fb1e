import { classifyError } from '@tributary/contracts';
import { decodeWireFormat } from '@tributary/kafka';
import type { Type } from 'avsc';

/** The readable form of a dead letter's value, or why there is none. Never throws: capture must go on. */
export type DecodedValue =
  | { readonly kind: 'avro'; readonly schemaId: number; readonly json: unknown }
  | { readonly kind: 'json'; readonly json: unknown }
  | { readonly kind: 'none'; readonly reason: string };

export interface WriterSchemas {
  schemaById(id: number): Promise<Type>;
}

/**
 * Decodes with the writer's own schema (as registered), not with any reader schema: the point is to show what
 * was sent, including types no consumer knows. Values that are not in the Confluent wire format are shown
 * when they are JSON text.
 */
export async function decodeValue(value: Buffer | null, schemas: WriterSchemas): Promise<DecodedValue> {
  if (value === null) return { kind: 'none', reason: 'tombstone (null value)' };
  if (value.length >= 5 && value[0] === 0) {
    let schemaId: number;
    let body: Buffer;
    try {
      ({ schemaId, body } = decodeWireFormat(value));
    } catch (error) {
      return { kind: 'none', reason: (error as Error).message };
    }
    try {
      const type = await schemas.schemaById(schemaId);
      return { kind: 'avro', schemaId, json: jsonSafe(type.fromBuffer(body)) };
    } catch (error) {
      return { kind: 'none', reason: `${classifyError(error).code}: ${(error as Error).message}` };
    }
  }
  try {
    return { kind: 'json', json: JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(value)) };
  } catch {
    return { kind: 'none', reason: 'neither Confluent Avro wire format nor JSON text' };
  }
}

/** Avro values as JSON: bytes and fixed as base64, longs beyond 2^53 as strings, maps and records as objects. */
export function jsonSafe(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonSafe(v)]));
  }
  return value;
}
