import type { Answer } from '../core/http.js';
import type { PageQuery, Stamp } from '../core/timeline.js';
import { easypostError } from './errors.js';

export const PAGE_SIZE_DEFAULT = 20;
export const PAGE_SIZE_MAX = 100;

function invalid(field: string, message: string): Answer {
  return easypostError(422, 'PARAMETER.INVALID', `Invalid parameter: ${field}`, [{ field, message }]);
}

function instant(field: string, value: string | null): number | Answer | undefined {
  if (value === null) return undefined;
  const at = Date.parse(value);
  return Number.isNaN(at) ? invalid(field, 'must be an ISO 8601 date or time') : at;
}

/**
 * EasyPost's "retrieve all" paging: newest first, `page_size` up to 100 (default 20), `before_id` for older
 * records, `after_id` for newer ones (the page nearest the id, still newest first), and a
 * `start_datetime`/`end_datetime` window on `created_at`, both inclusive.
 */
export function parsePaging(
  query: URLSearchParams,
  stampOf: (id: string) => Stamp | undefined,
): PageQuery | Answer {
  const sizeText = query.get('page_size');
  const limit = sizeText === null ? PAGE_SIZE_DEFAULT : Number(sizeText);
  if (!Number.isInteger(limit) || limit < 1 || limit > PAGE_SIZE_MAX)
    return invalid('page_size', `must be an integer from 1 to ${PAGE_SIZE_MAX}`);
  const paging: PageQuery = { limit };
  for (const [field, side] of [
    ['before_id', 'olderThan'],
    ['after_id', 'newerThan'],
  ] as const) {
    const id = query.get(field);
    if (id === null) continue;
    const stamp = stampOf(id);
    if (!stamp) return invalid(field, `no record with id ${id}`);
    paging[side] = stamp;
  }
  const start = instant('start_datetime', query.get('start_datetime'));
  if (typeof start === 'object') return start;
  const end = instant('end_datetime', query.get('end_datetime'));
  if (typeof end === 'object') return end;
  if (start !== undefined) paging.minAt = start;
  if (end !== undefined) paging.maxAt = end;
  return paging;
}

export function isAnswer(value: PageQuery | Answer): value is Answer {
  return 'status' in value;
}
