import { ProblemError } from '@tributary/service-kit';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Opaque page cursor: the id of the last row of a page. Ids are UUIDv7, so "before this id" is stable. */
export function encodeCursor(id: string): string {
  return Buffer.from(`v1:${id}`).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const id = text.startsWith('v1:') ? text.slice(3) : '';
  if (!uuid.test(id))
    throw new ProblemError('RECONCILIATION_CURSOR_INVALID', 'The cursor is not one this API returned.');
  return id;
}
