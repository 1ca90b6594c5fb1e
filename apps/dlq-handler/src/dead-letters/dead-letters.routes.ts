import { defineRoute, rateLimitHeaders, rateLimitedHeaders } from '@tributary/service-kit/http';
import { z } from 'zod';
import type { DlqScope } from '../dlq-handler.config.js';
import { DEAD_LETTER_STATUSES } from './domain/dead-letter.js';
import {
  countsQuery,
  deadLetterId,
  discardRequest,
  listQuery,
  reasonRequest,
  replayRequest,
} from './dead-letters.requests.js';

const int = z.number().int();
const timestamp = z.iso.datetime({ offset: true });
const status = z.enum(DEAD_LETTER_STATUSES);

const summaryShape = {
  id: z.uuid(),
  consumerGroup: z.string(),
  originalTopic: z.string(),
  originalPartition: int,
  originalOffset: z.string(),
  eventId: z.string().nullable(),
  eventType: z.string().nullable(),
  errorCode: z.string(),
  errorClass: z.string().nullable(),
  errorMessage: z.string().nullable(),
  attempts: int.describe('Delivery attempts that failed, over all replays.'),
  deadLetteredCount: int.describe('Times the record reached the DLQ.'),
  status,
  firstFailedAt: timestamp,
  lastFailedAt: timestamp,
  replayCount: int,
};

/** A dead letter as lists show it. */
export const deadLetterSummary = z.object(summaryShape).meta({ id: 'DeadLetterSummary' });
export type DeadLetterSummary = z.infer<typeof deadLetterSummary>;

const storedHeader = z.object({
  name: z.string(),
  value: z.string(),
  encoding: z.enum(['utf8', 'base64']).describe('base64 when the bytes are not UTF-8.'),
});

/** One dead letter with everything known of it: headers, raw and decoded value, stack, replay state. */
export const deadLetterDetail = z
  .object({
    ...summaryShape,
    originalTimestamp: timestamp.nullable(),
    dlq: z.object({ topic: z.string(), partition: int, offset: z.string() }),
    errorStack: z.string().nullable(),
    statusReason: z.string().nullable(),
    key: z.object({ base64: z.string(), text: z.string().nullable() }).nullable(),
    value: z
      .object({
        base64: z.string(),
        format: z.enum(['avro', 'json', 'none']),
        schemaId: int.nullable(),
        decoded: z.unknown().describe('The value as JSON, decoded with its writer schema.'),
        decodeError: z.string().nullable(),
      })
      .nullable(),
    headers: z.array(storedHeader),
    replayRequestedAt: timestamp.nullable(),
    replayRequestedBy: z.string().nullable(),
    replayedAt: timestamp.nullable(),
    replayTopic: z
      .string()
      .nullable()
      .describe(
        'The retry tier replays of this dead letter go to: named by the DLQ record, else fixed at the first replay request. Never changed to another tier.',
      ),
    replayStalledAt: timestamp
      .nullable()
      .describe(
        'When the last sent replay was flagged replay_stalled: no outcome within REPLAY_STALL_AFTER_MS.',
      ),
    replayError: z
      .object({ code: z.string(), message: z.string(), at: timestamp })
      .nullable()
      .describe(
        'Why the last replay could not be sent (e.g. REPLAY_TARGET_MISSING); cleared by the next request.',
      ),
    resolvedAt: timestamp.nullable(),
    discardedAt: timestamp.nullable(),
    discardedBy: z.string().nullable(),
    payloadScrubbed: z
      .object({ at: timestamp, reason: z.string() })
      .nullable()
      .describe(
        'Set once retention removed the payload of this closed dead letter (key, value, headers, error message and stack: null or empty since); it can no longer be replayed (410 DEAD_LETTER_PAYLOAD_SCRUBBED).',
      ),
  })
  .meta({ id: 'DeadLetter' });
export type DeadLetterDetail = z.infer<typeof deadLetterDetail>;

export const deadLetterPage = z
  .object({
    items: z.array(deadLetterSummary),
    nextCursor: z.string().nullable().describe('Pass as cursor for the next page; null on the last one.'),
  })
  .meta({ id: 'DeadLetterPage' });

export const countRow = z.object({ errorCode: z.string(), status, consumerGroup: z.string(), count: int });
export type CountRow = z.infer<typeof countRow>;

export const deadLetterCounts = z
  .object({
    total: int,
    byErrorCode: z
      .array(
        z.object({
          errorCode: z.string(),
          total: int,
          byStatus: z.partialRecord(status, int),
        }),
      )
      .describe('Largest first.'),
    rows: z.array(countRow).describe('By error code, status and consumer group.'),
  })
  .meta({ id: 'DeadLetterCounts' });

/** An id a bulk action left as it was, and why. */
export const skipped = z
  .object({
    id: z.string(),
    status: z.enum([...DEAD_LETTER_STATUSES, 'missing']),
    code: z
      .enum(['DEAD_LETTER_NOT_FOUND', 'DEAD_LETTER_STATE_CONFLICT', 'DEAD_LETTER_PAYLOAD_SCRUBBED'])
      .describe('What the single-id route would answer for this id.'),
    reason: z.string(),
  })
  .meta({ id: 'Skipped' });
export type Skipped = z.infer<typeof skipped>;

const actionResult = {
  ids: z.array(z.uuid()).describe('The dead letters the action changed.'),
  skipped: z.array(skipped).describe('Ids named in the request that the action left as they were, and why.'),
  auditId: z.string().describe('The audit log entry of the request.'),
};
export const replayAccepted = z.object({ accepted: int, ...actionResult }).meta({ id: 'ReplayAccepted' });
export const discarded = z.object({ discarded: int, ...actionResult }).meta({ id: 'Discarded' });

const scope = (name: DlqScope) => name;
const replayed =
  'Accepted: sent at the replay rate to the retry tier each dead letter names (replayTopic). Pending, replaying (sent, no outcome) and replay_stalled dead letters are replayed; ids that are not are listed under skipped.';

export const listDeadLetters = defineRoute({
  method: 'get',
  path: '/v1/dead-letters',
  operationId: 'listDeadLetters',
  summary: 'List dead letters, newest first',
  scope: scope('dlq:read'),
  request: { query: listQuery },
  responses: { 200: { description: 'A page.', schema: deadLetterPage, headers: rateLimitHeaders } },
  problemHeaders: { 429: rateLimitedHeaders },
  problems: ['DLQ_CURSOR_INVALID'],
  invalidCode: 'DLQ_FILTER_INVALID',
});

export const countDeadLetters = defineRoute({
  method: 'get',
  path: '/v1/dead-letters/counts',
  operationId: 'countDeadLetters',
  summary: 'Count dead letters by error code (and status, group)',
  scope: scope('dlq:read'),
  request: { query: countsQuery },
  responses: { 200: { description: 'Counts.', schema: deadLetterCounts, headers: rateLimitHeaders } },
  problemHeaders: { 429: rateLimitedHeaders },
  invalidCode: 'DLQ_FILTER_INVALID',
});

export const showDeadLetter = defineRoute({
  method: 'get',
  path: '/v1/dead-letters/{id}',
  operationId: 'showDeadLetter',
  summary: 'Show one dead letter: headers, raw and decoded value, stack',
  scope: scope('dlq:read'),
  request: { params: deadLetterId },
  responses: {
    200: { description: 'The dead letter.', schema: deadLetterDetail, headers: rateLimitHeaders },
  },
  problemHeaders: { 429: rateLimitedHeaders },
  problems: ['DEAD_LETTER_NOT_FOUND'],
  invalidCode: 'DLQ_REQUEST_INVALID',
});

export const replayDeadLetters = defineRoute({
  method: 'post',
  path: '/v1/dead-letters/replay',
  operationId: 'replayDeadLetters',
  summary: "Replay dead letters (ids or filter) into their group's first retry tier",
  scope: scope('dlq:replay'),
  request: { body: replayRequest },
  responses: { 202: { description: replayed, schema: replayAccepted, headers: rateLimitHeaders } },
  problemHeaders: { 429: rateLimitedHeaders },
  problems: ['DLQ_FILTER_INVALID', 'REPLAY_TARGET_MISSING', 'DLQ_SELECTION_TOO_LARGE'],
  invalidCode: 'DLQ_REQUEST_INVALID',
});

export const replayDeadLetter = defineRoute({
  method: 'post',
  path: '/v1/dead-letters/{id}/replay',
  operationId: 'replayDeadLetter',
  summary: 'Replay one dead letter',
  scope: scope('dlq:replay'),
  request: { params: deadLetterId, body: reasonRequest },
  responses: { 202: { description: replayed, schema: replayAccepted, headers: rateLimitHeaders } },
  problemHeaders: { 429: rateLimitedHeaders },
  problems: [
    'DEAD_LETTER_NOT_FOUND',
    'DEAD_LETTER_STATE_CONFLICT',
    'DEAD_LETTER_PAYLOAD_SCRUBBED',
    'REPLAY_TARGET_MISSING',
  ],
  invalidCode: 'DLQ_REQUEST_INVALID',
});

export const discardDeadLetters = defineRoute({
  method: 'post',
  path: '/v1/dead-letters/discard',
  operationId: 'discardDeadLetters',
  summary:
    'Discard dead letters (ids or filter) with a reason: pending ones, and replaying or replay_stalled ones already sent; other ids are skipped with why',
  scope: scope('dlq:discard'),
  request: { body: discardRequest },
  responses: { 200: { description: 'Discarded.', schema: discarded, headers: rateLimitHeaders } },
  problemHeaders: { 429: rateLimitedHeaders },
  problems: ['DLQ_FILTER_INVALID', 'DLQ_SELECTION_TOO_LARGE'],
  invalidCode: 'DLQ_REQUEST_INVALID',
});

export const discardDeadLetter = defineRoute({
  method: 'post',
  path: '/v1/dead-letters/{id}/discard',
  operationId: 'discardDeadLetter',
  summary: 'Discard one dead letter (pending, or replaying or replay_stalled and already sent)',
  scope: scope('dlq:discard'),
  request: { params: deadLetterId, body: reasonRequest },
  responses: { 200: { description: 'Discarded.', schema: discarded, headers: rateLimitHeaders } },
  problemHeaders: { 429: rateLimitedHeaders },
  problems: ['DEAD_LETTER_NOT_FOUND', 'DEAD_LETTER_STATE_CONFLICT'],
  invalidCode: 'DLQ_REQUEST_INVALID',
});

export const deadLetterRoutes = [
  listDeadLetters,
  countDeadLetters,
  showDeadLetter,
  replayDeadLetters,
  replayDeadLetter,
  discardDeadLetters,
  discardDeadLetter,
] as const;
