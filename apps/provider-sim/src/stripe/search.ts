import type { Answer } from '../core/http.js';
import { invalidRequest } from './errors.js';
import { isAnswer } from './listing.js';
import type { StripeQuery } from './form.js';
import type { PaymentIntent } from './payment-intents.js';

/** One `field:value` clause of Stripe's search query language, the fields PaymentIntents take. */
interface Clause {
  readonly field: 'metadata' | 'status' | 'currency' | 'amount';
  /** The metadata key, for `metadata['key']`. */
  readonly key?: string;
  readonly value: string;
  readonly negated: boolean;
}

interface SearchQuery {
  readonly clauses: readonly Clause[];
  readonly join: 'AND' | 'OR';
}

const MAX_CLAUSES = 10;
const CLAUSE =
  /\s*(-)?(metadata\[(['"])((?:\\.|(?!\3).)*)\3\]|status|currency|amount)(:)(?:(['"])((?:\\.|(?!\6).)*)\6|(\d+))\s*/y;
const JOIN = /(AND|OR)\s+/y;

const unescape = (text: string) => text.replace(/\\(.)/g, '$1');
const invalidQuery = (message: string) => invalidRequest(message, { param: 'query' });

/**
 * Reads the part of Stripe's search query language that PaymentIntents answer here: exact matches (`:`) on
 * `metadata['key']`, `status`, `currency` (quoted strings) and `amount` (an integer), each negatable with
 * `-`, up to 10 clauses joined by AND or by OR (Stripe refuses mixing them). Anything else is a 400 naming
 * `query` (substring `~`, ranges and `null` are Stripe's but not the simulator's).
 */
export function parseSearchQuery(text: string): SearchQuery | Answer {
  const clauses: Clause[] = [];
  const joins = new Set<'AND' | 'OR'>();
  let at = 0;
  while (at < text.length) {
    CLAUSE.lastIndex = at;
    const match = CLAUSE.exec(text);
    if (!match)
      return invalidQuery(
        `Invalid query: could not read a clause at position ${at} of ${JSON.stringify(text)}.`,
      );
    const [, negation, field = '', , key, , , quoted, integer] = match;
    const name = field.startsWith('metadata') ? 'metadata' : (field as Clause['field']);
    if (name === 'amount' ? integer === undefined : quoted === undefined)
      return invalidQuery(
        `Invalid query: ${name} takes ${name === 'amount' ? 'an integer' : 'a quoted string'}.`,
      );
    clauses.push({
      field: name,
      ...(key === undefined ? {} : { key: unescape(key) }),
      value: quoted === undefined ? integer! : unescape(quoted),
      negated: negation === '-',
    });
    at = CLAUSE.lastIndex;
    if (at >= text.length) break;
    JOIN.lastIndex = at;
    const join = JOIN.exec(text);
    if (!join) return invalidQuery(`Invalid query: expected AND or OR at position ${at}.`);
    joins.add(join[1] as 'AND' | 'OR');
    at = JOIN.lastIndex;
  }
  if (clauses.length === 0) return invalidQuery('Invalid query: the query is empty.');
  if (clauses.length > MAX_CLAUSES)
    return invalidQuery(`Invalid query: at most ${MAX_CLAUSES} clauses are allowed.`);
  if (joins.size > 1) return invalidQuery('Invalid query: AND and OR cannot be combined in one query.');
  return { clauses, join: joins.has('OR') ? 'OR' : 'AND' };
}

function matches(intent: PaymentIntent, clause: Clause): boolean {
  const actual =
    clause.field === 'metadata'
      ? intent.metadata[clause.key ?? '']
      : clause.field === 'amount'
        ? String(intent.amount)
        : intent[clause.field];
  return (actual === clause.value) !== clause.negated;
}

export interface SearchPage {
  readonly limit: number;
  /** Offset into the ordered result, from `page`. */
  readonly offset: number;
  readonly query: SearchQuery;
}

/** `query` (required), `limit` 1..100 (10), `page` (the `next_page` of the previous answer). */
export function parseSearchParams(params: StripeQuery): SearchPage | Answer {
  for (const name of Object.keys(params)) {
    if (!['query', 'limit', 'page', 'expand'].includes(name))
      return invalidRequest(`Received unknown parameter: ${name}`, { param: name });
  }
  if (typeof params.query !== 'string')
    return invalidRequest('Missing required param: query.', { param: 'query' });
  const query = parseSearchQuery(params.query);
  if (isAnswer(query)) return query;
  let limit = 10;
  if (params.limit !== undefined) {
    if (typeof params.limit !== 'string' || !/^\d+$/.test(params.limit))
      return invalidRequest(`Invalid integer: ${String(params.limit)}`, {
        param: 'limit',
        code: 'parameter_invalid_integer',
      });
    limit = Number(params.limit);
    if (limit < 1 || limit > 100)
      return invalidRequest('This value must be between 1 and 100.', { param: 'limit' });
  }
  let offset = 0;
  if (params.page !== undefined) {
    const decoded = typeof params.page === 'string' ? pageOffset(params.page) : undefined;
    if (decoded === undefined)
      return invalidRequest('Invalid page: not a next_page this search gave.', { param: 'page' });
    offset = decoded;
  }
  return { limit, offset, query };
}

function pageOffset(page: string): number | undefined {
  const text = Buffer.from(page, 'base64url').toString('utf8');
  return /^offset:\d+$/.test(text) ? Number(text.slice('offset:'.length)) : undefined;
}

/**
 * One page of a search, newest first (ties by id). `searchable` says whether an intent has reached the
 * index yet: Stripe's search is eventually consistent, so a new intent shows only after a delay.
 */
export function searchAnswer(
  intents: Iterable<PaymentIntent>,
  page: SearchPage,
  searchable: (intent: PaymentIntent) => boolean,
): Answer {
  const { clauses, join } = page.query;
  const found = [...intents]
    .filter(searchable)
    .filter((intent) =>
      join === 'AND'
        ? clauses.every((clause) => matches(intent, clause))
        : clauses.some((clause) => matches(intent, clause)),
    )
    .sort((a, b) => b.created - a.created || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  const data = found.slice(page.offset, page.offset + page.limit);
  const end = page.offset + data.length;
  const hasMore = end < found.length;
  return {
    status: 200,
    body: {
      object: 'search_result',
      url: '/v1/payment_intents/search',
      has_more: hasMore,
      next_page: hasMore ? Buffer.from(`offset:${end}`).toString('base64url') : null,
      data,
    },
  };
}
