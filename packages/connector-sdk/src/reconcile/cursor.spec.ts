import { z } from 'zod';
import { ConnectorErrorCode } from '../errors.js';
import { decodeCursor, encodeCursor, pageSizeFor } from './cursor.js';

const schema = z.object({ after: z.string(), from: z.number() });

describe('reconciliation cursors', () => {
  it('round-trip the reader state as an opaque URL-safe token', () => {
    const cursor = encodeCursor({ after: '9800', from: 1_735_689_600_000 });
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor, schema)).toEqual({ after: '9800', from: 1_735_689_600_000 });
  });

  it('refuse a token that is not base64url JSON, or not of this reader, as not retriable', () => {
    for (const cursor of [
      '%%%',
      encodeCursor({ after: 1 }),
      Buffer.from('{"after":').toString('base64url'),
    ]) {
      expect(() => decodeCursor(cursor, schema)).toThrow(
        expect.objectContaining({ code: ConnectorErrorCode.readCursorInvalid, retriable: false }),
      );
    }
  });

  it("cap the page size at the provider's maximum and keep it positive", () => {
    expect(pageSizeFor({ pageSize: 500 }, 100)).toBe(100);
    expect(pageSizeFor({ pageSize: 20 }, 100)).toBe(20);
    expect(pageSizeFor({ pageSize: 0 }, 100)).toBe(1);
    expect(pageSizeFor({ pageSize: Number.NaN }, 100)).toBe(100);
  });
});
