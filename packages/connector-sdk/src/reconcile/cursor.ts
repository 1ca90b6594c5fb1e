import { TributaryError } from '@tributary/contracts';
import type { z } from 'zod';
import { ConnectorErrorCode } from '../errors.js';
import type { ReadRequest } from './reader.js';

/**
 * A reader's resume state as an opaque page token: base64url of its JSON. The reconciler stores it and sends
 * it back; only the reader that wrote it reads it.
 */
export function encodeCursor(state: unknown): string {
  return Buffer.from(JSON.stringify(state), 'utf8').toString('base64url');
}

/**
 * The state `encodeCursor` wrote, checked against the reader's schema. Anything else (another reader's token,
 * a cut-off one) is a not retriable `RECONCILIATION_CURSOR_INVALID`: asking again with it cannot help.
 */
export function decodeCursor<S extends z.ZodType>(cursor: string, schema: S): z.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch (error) {
    throw new TributaryError(ConnectorErrorCode.readCursorInvalid, 'reconciliation cursor is not ours', {
      cause: error,
    });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new TributaryError(
      ConnectorErrorCode.readCursorInvalid,
      `reconciliation cursor is not ours: ${parsed.error.issues.map((i) => i.path.join('.') || i.message).join(', ')}`,
    );
  }
  return parsed.data;
}

/** The request's page size within 1..`providerMax`: the provider refuses a larger page. */
export function pageSizeFor(request: Pick<ReadRequest, 'pageSize'>, providerMax: number): number {
  const asked = Number.isFinite(request.pageSize) ? Math.floor(request.pageSize) : providerMax;
  return Math.max(1, Math.min(providerMax, asked));
}
