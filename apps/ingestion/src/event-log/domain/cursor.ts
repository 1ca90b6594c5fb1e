import { ProblemError } from '@tributary/service-kit';
import { ProblemCode } from '../../http/problem.js';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Opaque cursors: the id of the last entry of a page. Ids are UUIDv7, so "older than this id" is a stable
 * position even while new entries arrive (no offsets that shift).
 */
export function encodeCursor(id: string): string {
  return Buffer.from(`v1:${id}`).toString('base64url');
}

export function decodeCursor(cursor: string): string {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const id = text.startsWith('v1:') ? text.slice(3) : '';
  if (!uuid.test(id))
    throw new ProblemError(ProblemCode.requestInvalid, 'The cursor is not one this API returned.');
  return id;
}
