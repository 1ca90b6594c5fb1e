import { z } from 'zod';
import type { Answer } from '../core/http.js';
import type { Contact, ContactStore } from './contacts.js';
import { hubspotError } from './errors.js';
import { renderContact } from './render.js';

/** HubSpot's search answers at most this many results of one query, whatever the paging. */
export const SEARCH_RESULT_CAP = 10_000;
export const SEARCH_MAX_LIMIT = 200;
const MAX_FILTER_GROUPS = 5;
const MAX_FILTERS_PER_GROUP = 6;
const MAX_FILTERS = 18;

const scalar = z.union([z.string(), z.number(), z.boolean()]);

const filterSchema = z.object({
  propertyName: z.string().min(1),
  operator: z.enum([
    'EQ',
    'NEQ',
    'LT',
    'LTE',
    'GT',
    'GTE',
    'BETWEEN',
    'IN',
    'NOT_IN',
    'HAS_PROPERTY',
    'NOT_HAS_PROPERTY',
  ]),
  value: scalar.optional(),
  highValue: scalar.optional(),
  values: z.array(scalar).optional(),
});

export const searchSchema = z.object({
  filterGroups: z.array(z.object({ filters: z.array(filterSchema) })).default([]),
  sorts: z
    .array(z.object({ propertyName: z.string().min(1), direction: z.enum(['ASCENDING', 'DESCENDING']) }))
    .max(1)
    .default([]),
  properties: z.array(z.string()).optional(),
  limit: z.number().int().min(0).default(10),
  after: z.union([z.string(), z.number()]).optional(),
  query: z.string().optional(),
});

export type SearchRequest = z.infer<typeof searchSchema>;
type Filter = z.infer<typeof filterSchema>;

/** Properties HubSpot compares as numbers (record ids) or as instants (ms, ISO or a date). */
const NUMBER_PROPERTIES = new Set(['hs_object_id']);
const DATETIME_PROPERTIES = new Set(['createdate', 'lastmodifieddate']);
/** The properties `query` looks into, as HubSpot's default searchable contact properties. */
const QUERY_PROPERTIES = ['email', 'firstname', 'lastname', 'phone', 'company', 'website'];

type Comparable = number | string;

function comparable(property: string, raw: string | number | boolean): Comparable | undefined {
  const text = String(raw);
  if (NUMBER_PROPERTIES.has(property)) return Number(text);
  if (DATETIME_PROPERTIES.has(property)) {
    const instant = /^-?\d+$/.test(text) ? Number(text) : Date.parse(text);
    return Number.isNaN(instant) ? undefined : instant;
  }
  // String equality at HubSpot's search ignores case.
  return text.toLowerCase();
}

function matches(contact: Contact, filter: Filter): boolean {
  const stored = contact.properties[filter.propertyName];
  const present = stored !== undefined && stored !== '';
  if (filter.operator === 'HAS_PROPERTY') return present;
  if (filter.operator === 'NOT_HAS_PROPERTY') return !present;
  if (filter.operator === 'NEQ' && !present) return true;
  if (filter.operator === 'NOT_IN' && !present) return true;
  if (!present) return false;
  const value = comparable(filter.propertyName, stored);
  if (value === undefined) return false;
  const against = (raw: string | number | boolean | undefined) =>
    raw === undefined ? undefined : comparable(filter.propertyName, raw);
  const other = against(filter.value);
  switch (filter.operator) {
    case 'EQ':
      return value === other;
    case 'NEQ':
      return value !== other;
    case 'LT':
      return other !== undefined && value < other;
    case 'LTE':
      return other !== undefined && value <= other;
    case 'GT':
      return other !== undefined && value > other;
    case 'GTE':
      return other !== undefined && value >= other;
    case 'BETWEEN': {
      const high = against(filter.highValue);
      return other !== undefined && high !== undefined && value >= other && value <= high;
    }
    case 'IN':
      return (filter.values ?? []).some((candidate) => against(candidate) === value);
    case 'NOT_IN':
      return !(filter.values ?? []).some((candidate) => against(candidate) === value);
  }
}

function refuse(message: string, where: string): Answer {
  return hubspotError(400, 'VALIDATION_ERROR', message, { errors: [{ message, in: where }] });
}

/** HubSpot's refusals of a search body, before anything is looked up. */
function validate(request: SearchRequest): Answer | undefined {
  if (request.limit > SEARCH_MAX_LIMIT)
    return refuse(`limit must be less than or equal to ${SEARCH_MAX_LIMIT}`, 'limit');
  const groups = request.filterGroups;
  if (groups.length > MAX_FILTER_GROUPS)
    return refuse(`At most ${MAX_FILTER_GROUPS} filterGroups are allowed`, 'filterGroups');
  if (groups.some((group) => group.filters.length > MAX_FILTERS_PER_GROUP))
    return refuse(`At most ${MAX_FILTERS_PER_GROUP} filters per filterGroup are allowed`, 'filters');
  if (groups.reduce((sum, group) => sum + group.filters.length, 0) > MAX_FILTERS)
    return refuse(`At most ${MAX_FILTERS} filters are allowed in total`, 'filterGroups');
  for (const filter of groups.flatMap((group) => group.filters)) {
    const needsValue = !['HAS_PROPERTY', 'NOT_HAS_PROPERTY', 'IN', 'NOT_IN'].includes(filter.operator);
    if (needsValue && filter.value === undefined)
      return refuse(`${filter.operator} on ${filter.propertyName} needs a value`, 'filters');
    if (filter.value !== undefined && comparable(filter.propertyName, filter.value) === undefined)
      return refuse(`${String(filter.value)} is not a valid value for ${filter.propertyName}`, 'filters');
  }
  return undefined;
}

/**
 * HubSpot's CRM search over contacts: filter groups (OR of ANDs), one sort (ties by id), free-text `query`,
 * and offset paging whose `after` HubSpot answers as a string. The window is live, as at HubSpot: a contact
 * modified during a walk moves in a `lastmodifieddate` order. Past 10,000 results of one query HubSpot
 * answers 400, so a reader restarts its window from the last `lastmodifieddate` it saw.
 */
export class ContactSearch {
  /** The last query's sorted matches, reused while the store is unchanged (a walk asks the same query). */
  #cache: { key: string; version: number; matches: Contact[] } | undefined;

  constructor(private readonly contacts: ContactStore) {}

  search(body: unknown): Answer {
    const parsed = searchSchema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return refuse(`Invalid input JSON: ${issue.path.join('.')}: ${issue.message}`, issue.path.join('.'));
    }
    const request = parsed.data;
    const invalid = validate(request);
    if (invalid) return invalid;
    const offset = request.after === undefined || request.after === '' ? 0 : Number(request.after);
    if (!Number.isInteger(offset) || offset < 0)
      return refuse('after must be a non-negative integer', 'after');
    if (offset >= SEARCH_RESULT_CAP)
      return refuse(
        `The search API answers at most ${SEARCH_RESULT_CAP} results of a query; narrow the query (e.g. from the last lastmodifieddate seen) instead of paging past after=${offset}`,
        'after',
      );
    const matches = this.#matches(request);
    const end = Math.min(offset + request.limit, matches.length, SEARCH_RESULT_CAP);
    const results = matches.slice(offset, end).map((contact) => renderContact(contact, request.properties));
    return {
      status: 200,
      body: {
        total: matches.length,
        results,
        // Past the cap HubSpot still offers the next page; asking for it is the 400 above.
        ...(end < matches.length ? { paging: { next: { after: String(end) } } } : {}),
      },
    };
  }

  #matches(request: SearchRequest): Contact[] {
    const key = JSON.stringify([request.filterGroups, request.sorts, request.query ?? '']);
    const cached = this.#cache;
    if (cached && cached.key === key && cached.version === this.contacts.version) return cached.matches;
    const groups = request.filterGroups;
    const text = request.query?.toLowerCase();
    const found: Contact[] = [];
    for (const contact of this.contacts.live()) {
      if (groups.length > 0 && !groups.some((group) => group.filters.every((f) => matches(contact, f))))
        continue;
      if (text && !QUERY_PROPERTIES.some((name) => contact.properties[name]?.toLowerCase().includes(text)))
        continue;
      found.push(contact);
    }
    const sort = request.sorts[0];
    const sorted = sort ? sortContacts(found, sort.propertyName, sort.direction) : found;
    this.#cache = { key, version: this.contacts.version, matches: sorted };
    return sorted;
  }
}

/** One property's order, ties by id; contacts without the property come last either way. */
function sortContacts(
  contacts: readonly Contact[],
  property: string,
  direction: 'ASCENDING' | 'DESCENDING',
): Contact[] {
  const sign = direction === 'ASCENDING' ? 1 : -1;
  const keyed = contacts.map((contact) => {
    const raw = contact.properties[property];
    return {
      contact,
      value: raw === undefined ? undefined : comparable(property, raw),
      id: Number(contact.id),
    };
  });
  keyed.sort((a, b) => {
    if (a.value === undefined || b.value === undefined)
      return a.value === b.value ? a.id - b.id : a.value === undefined ? 1 : -1;
    return (a.value < b.value ? -1 : a.value > b.value ? 1 : 0) * sign || a.id - b.id;
  });
  return keyed.map((entry) => entry.contact);
}
