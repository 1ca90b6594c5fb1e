import type { Answer } from '../core/http.js';
import type { Page } from '../core/timeline.js';
import { invalidRequest } from './errors.js';
import type { StripeQuery } from './form.js';

/** What every Stripe list endpoint takes: a page size, one cursor, a `created` window (seconds). */
export interface ListWindow {
  limit: number;
  startingAfter?: string;
  endingBefore?: string;
  /** Inclusive bounds on `created`. */
  minCreated?: number;
  maxCreated?: number;
}

const COMMON = ['limit', 'starting_after', 'ending_before', 'created', 'expand'];
const RANGE = ['gt', 'gte', 'lt', 'lte'];

function integer(name: string, value: string): number | Answer {
  if (!/^-?\d+$/.test(value))
    return invalidRequest(`Invalid integer: ${value}`, { param: name, code: 'parameter_invalid_integer' });
  return Number(value);
}

/**
 * Reads the list parameters as Stripe does, refusing what Stripe refuses: an unknown parameter, a `limit`
 * outside 1..100, both cursors at once, a `created` bound that is not an integer.
 */
export function parseListWindow(query: StripeQuery, extra: readonly string[]): ListWindow | Answer {
  for (const name of Object.keys(query)) {
    if (!COMMON.includes(name) && !extra.includes(name))
      return invalidRequest(`Received unknown parameter: ${name}`, { param: name });
  }
  const window: ListWindow = { limit: 10 };
  const limit = query.limit;
  if (limit !== undefined) {
    if (typeof limit !== 'string') return invalidRequest('Invalid integer: limit', { param: 'limit' });
    const parsed = integer('limit', limit);
    if (typeof parsed !== 'number') return parsed;
    if (parsed < 1)
      return invalidRequest('This value must be greater than or equal to 1.', { param: 'limit' });
    if (parsed > 100)
      return invalidRequest('This value must be less than or equal to 100.', { param: 'limit' });
    window.limit = parsed;
  }
  for (const name of ['starting_after', 'ending_before'] as const) {
    const value = query[name];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value === '')
      return invalidRequest(`Invalid ${name}: must be an object id`, { param: name });
    if (name === 'starting_after') window.startingAfter = value;
    else window.endingBefore = value;
  }
  if (window.startingAfter !== undefined && window.endingBefore !== undefined)
    return invalidRequest('You may only specify one of these parameters: ending_before, starting_after.', {
      param: 'ending_before',
    });
  const created = query.created;
  if (typeof created === 'string') {
    const exact = integer('created', created);
    if (typeof exact !== 'number') return exact;
    window.minCreated = exact;
    window.maxCreated = exact;
  } else if (Array.isArray(created)) {
    return invalidRequest('Invalid created: must be an integer or a hash of gt, gte, lt, lte', {
      param: 'created',
    });
  } else if (created) {
    for (const [bound, text] of Object.entries(created)) {
      const param = `created[${bound}]`;
      if (!RANGE.includes(bound)) return invalidRequest(`Received unknown parameter: ${param}`, { param });
      const value = integer(param, text);
      if (typeof value !== 'number') return value;
      if (bound === 'gt' || bound === 'gte') {
        const min = bound === 'gt' ? value + 1 : value;
        window.minCreated = Math.max(window.minCreated ?? min, min);
      } else {
        const max = bound === 'lt' ? value - 1 : value;
        window.maxCreated = Math.min(window.maxCreated ?? max, max);
      }
    }
  }
  return window;
}

/** `expand[]` values, or Stripe's refusal of any it cannot expand here. */
export function parseExpand(query: StripeQuery, allowed: readonly string[]): string[] | Answer {
  const raw = query.expand;
  if (raw === undefined) return [];
  const values = Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : Object.values(raw);
  for (const value of values) {
    if (!allowed.includes(value)) {
      // Stripe names the property without the list's `data.` prefix.
      return invalidRequest(`This property cannot be expanded (${value.replace(/^data\./, '')}).`);
    }
  }
  return values;
}

export function isAnswer(value: unknown): value is Answer {
  return typeof value === 'object' && value !== null && 'status' in value && 'body' in value;
}

/** Stripe's list envelope. */
export function listAnswer(url: string, page: Page, data: unknown[]): Answer {
  return { status: 200, body: { object: 'list', url, has_more: page.hasMore, data } };
}
