import { ProblemError } from '@tributary/service-kit';
import { z } from 'zod';
import { ProblemCode } from '../http/problem.js';
import { DEAD_LETTER_STATUSES } from './domain/dead-letter.js';

const name = z.string().regex(/^[a-zA-Z0-9._-]{1,249}$/, 'a Kafka group or topic name');
const code = z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'an error code');

/** Which dead letters a list, count, bulk replay or bulk discard is about. Every field narrows. */
const filterFields = {
  group: name.optional().describe('Consumer group whose DLQ the record came from.'),
  provider: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a provider id such as stripe')
    .optional()
    .describe('Provider whose connector failed: the records of consumer group connector-<provider>.'),
  topic: name.optional().describe('Topic the record first failed on.'),
  errorCode: code.optional().describe('Stable error code (tributary-error-code).'),
  status: z.enum(DEAD_LETTER_STATUSES).optional(),
  eventType: z.string().max(256).optional().describe('CloudEvents type (ce_type).'),
  replayQueued: z
    .enum(['true', 'false'])
    .optional()
    .describe('true: accepted for replay and not yet sent; false: not waiting to be sent.'),
  from: z.iso.datetime({ offset: true }).optional().describe('Last failed at or after (RFC 3339).'),
  to: z.iso.datetime({ offset: true }).optional().describe('Last failed before (RFC 3339).'),
};

const fromBeforeTo = (f: { from?: string | undefined; to?: string | undefined }) =>
  f.from === undefined || f.to === undefined || Date.parse(f.from) < Date.parse(f.to);
const fromBeforeToIssue = { message: 'from must be before to', path: ['from'] };

export const deadLetterFilter = z
  .object(filterFields)
  .strict()
  .refine(fromBeforeTo, fromBeforeToIssue)
  .meta({ id: 'Filter' });
export type DeadLetterFilter = z.infer<typeof deadLetterFilter>;

/** The list's query string: a filter, the page size and the cursor of the previous page. */
export const listQuery = z
  .object({
    ...filterFields,
    limit: z.coerce.number().int().min(1).max(500).default(50),
    cursor: z.string().max(200).optional().describe('nextCursor of the previous page.'),
  })
  .strict()
  .refine(fromBeforeTo, fromBeforeToIssue);

/** The counts' query string: a filter. */
export const countsQuery = z.object(filterFields).strict().refine(fromBeforeTo, fromBeforeToIssue);

export const deadLetterId = z.object({
  id: z
    .guid({ error: 'The id in the path is not a dead-letter id (a UUID).' })
    .describe('A dead-letter id; anything but a UUID is answered 400 DLQ_REQUEST_INVALID.'),
});

export const reasonRequest = z
  .object({ reason: z.string().trim().min(3).max(1_000) })
  .strict()
  .meta({ id: 'Reason' });

export const replayRequest = z
  .object({
    ids: z.array(z.uuid()).min(1).max(10_000).optional(),
    filter: deadLetterFilter.optional(),
    reason: z.string().trim().min(3).max(1_000),
  })
  .strict()
  .refine((r) => (r.ids === undefined) !== (r.filter === undefined), {
    message: 'give either ids or filter',
    path: ['ids'],
  })
  .meta({ id: 'Selection' });

export const discardRequest = replayRequest;
export type SelectionRequest = z.infer<typeof replayRequest>;

/**
 * Query string → filter, or a 400 naming each bad parameter. Counts take the list's query too: limit and
 * cursor have always been accepted there, and ignored.
 */
export function parseListQuery(query: unknown): {
  filter: DeadLetterFilter;
  limit: number;
  cursor?: string;
} {
  const parsed = listQuery.safeParse(query ?? {});
  if (!parsed.success) throw new ProblemError(ProblemCode.filterInvalid, z.prettifyError(parsed.error));
  const { limit, cursor, ...filter } = parsed.data;
  return { filter, limit, ...(cursor === undefined ? {} : { cursor }) };
}

export function parseFilter(input: unknown): DeadLetterFilter {
  const parsed = deadLetterFilter.safeParse(input ?? {});
  if (!parsed.success) throw new ProblemError(ProblemCode.filterInvalid, z.prettifyError(parsed.error));
  return parsed.data;
}

/** A bulk body; a problem in its filter is DLQ_FILTER_INVALID, any other DLQ_REQUEST_INVALID. */
export function parseSelection(body: unknown): SelectionRequest {
  if (body === undefined || body === null || typeof body !== 'object') {
    throw new ProblemError(ProblemCode.requestInvalid, 'Send a JSON object: { ids | filter, reason }.');
  }
  const parsed = replayRequest.safeParse(body);
  if (!parsed.success) {
    const filterIssue = parsed.error.issues.some((issue) => issue.path[0] === 'filter');
    throw new ProblemError(
      filterIssue ? ProblemCode.filterInvalid : ProblemCode.requestInvalid,
      z.prettifyError(parsed.error),
    );
  }
  return parsed.data;
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Opaque cursor: the id of the last row of a page. Ids are UUIDv7, so "before this id" is a stable position. */
export function encodeCursor(id: string): string {
  return Buffer.from(`v1:${id}`).toString('base64url');
}

export function decodeCursor(cursor: string): string {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const id = text.startsWith('v1:') ? text.slice(3) : '';
  if (!uuid.test(id))
    throw new ProblemError(ProblemCode.cursorInvalid, 'The cursor is not one this API returned.');
  return id;
}
