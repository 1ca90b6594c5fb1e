import { defineRoute } from '@tributary/service-kit/http';
import { z } from 'zod';
import type { ApiKeyScope } from '../api-keys/api-key-scopes.js';
import { rateLimitHeaders, rateLimitedHeaders } from '../http/rate-limit-headers.js';
import { ENTRY_SOURCES, ENTRY_STATUSES } from './domain/event-log.js';
import { listEntriesQuery, replayEntryRequest, replayRangeRequest } from './event-log.requests.js';

const timestamp = z.iso.datetime();

export const entrySummary = z
  .object({
    id: z.uuid(),
    source: z.enum(ENTRY_SOURCES),
    provider: z.string(),
    dedupeKey: z.string(),
    eventType: z.string(),
    status: z.enum(ENTRY_STATUSES),
    statusReason: z.string().nullable(),
    occurredAt: timestamp.nullable(),
    receivedAt: timestamp,
    replayCount: z.number().int(),
    eventIds: z.array(z.uuid()),
  })
  .meta({ id: 'EventLogEntry' });

export const entryEvent = z
  .object({
    eventId: z.uuid(),
    type: z.string(),
    topic: z.string(),
    subject: z.string(),
    delivery: z
      .enum(['pending', 'published', 'unknown'])
      .describe('Delivery to Kafka as the outbox knows it; unknown once the outbox row aged out (24 h).'),
    publishedAt: timestamp.nullable(),
  })
  .meta({ id: 'EventLogEntryEvent' });

export const rawBody = z
  .object({
    sha256: z.string().describe('Hex SHA-256 of the bytes, the key they are stored under.'),
    base64: z.string().describe('The bytes of the request body exactly as received and verified.'),
    intact: z.boolean().describe('The stored bytes still hash to sha256.'),
  })
  .nullable()
  .describe('Webhooks: the body the provider signed (payload is its parsed JSON). Null for internal events.')
  .meta({ id: 'EventLogRawBody' });

export const entryDetail = entrySummary
  .extend({ payload: z.unknown(), rawBody, updatedAt: timestamp, events: z.array(entryEvent) })
  .meta({ id: 'EventLogEntryDetail' });

export const entryPage = z
  .object({ items: z.array(entrySummary), nextCursor: z.string().nullable() })
  .meta({ id: 'EventLogPage' });

export const replayResponse = z
  .object({
    replayId: z.uuid().describe('Also the tributary-replay-id header of every republished record.'),
    entries: z.number().int(),
    republished: z
      .number()
      .int()
      .describe('Entries whose events were sent again, with their original ce_id.'),
    remapped: z.number().int().describe('Entries that had produced nothing and map now.'),
    skipped: z.number().int(),
    eventIds: z.array(z.uuid()),
  })
  .meta({ id: 'ReplayResult' });

export type EntrySummary = z.infer<typeof entrySummary>;
export type EntryEvent = z.infer<typeof entryEvent>;
export type EntryDetail = z.infer<typeof entryDetail>;
export type EntryPage = z.infer<typeof entryPage>;
export type ReplayResponse = z.infer<typeof replayResponse>;

// Lenient on purpose: an id of any other form is an entry that does not exist (404), not a bad request.
const entryId = z.string().meta({ format: 'uuid', description: 'Event log entry id.' });

const read = 'events:read' satisfies ApiKeyScope;
const replay = 'events:replay' satisfies ApiKeyScope;

export const listEventLog = defineRoute({
  method: 'get',
  path: '/v1/event-log',
  operationId: 'listEventLog',
  summary: 'List webhooks and events received, newest first',
  scope: read,
  request: { query: listEntriesQuery },
  responses: { 200: { description: 'A page of entries.', schema: entryPage, headers: rateLimitHeaders } },
  problemHeaders: { 429: rateLimitedHeaders },
});

export const showEventLogEntry = defineRoute({
  method: 'get',
  path: '/v1/event-log/{id}',
  operationId: 'showEventLogEntry',
  summary: 'One entry with its payload and the delivery state of its events',
  scope: read,
  request: { params: z.object({ id: entryId }) },
  responses: { 200: { description: 'The entry.', schema: entryDetail, headers: rateLimitHeaders } },
  problems: ['EVENT_LOG_ENTRY_NOT_FOUND'],
  invalidCode: 'EVENT_LOG_ENTRY_NOT_FOUND',
  problemHeaders: { 429: rateLimitedHeaders },
});

export const replayEventLogEntry = defineRoute({
  method: 'post',
  path: '/v1/event-log/{id}/replay',
  operationId: 'replayEventLogEntry',
  summary: 'Replay one entry (audited)',
  scope: replay,
  request: { params: z.object({ id: entryId }), body: replayEntryRequest },
  responses: { 202: { description: 'Replayed.', schema: replayResponse, headers: rateLimitHeaders } },
  problems: ['EVENT_LOG_ENTRY_NOT_FOUND'],
  problemHeaders: { 429: rateLimitedHeaders },
});

export const replayEventLogRange = defineRoute({
  method: 'post',
  path: '/v1/event-log/replay',
  operationId: 'replayEventLogRange',
  summary: "Replay a provider's entries received in [from, to) (audited)",
  scope: replay,
  request: { body: replayRangeRequest },
  responses: { 202: { description: 'Replayed.', schema: replayResponse, headers: rateLimitHeaders } },
  problems: ['REPLAY_RANGE_TOO_LARGE'],
  problemHeaders: { 429: rateLimitedHeaders },
});

export const eventLogRoutes = [
  listEventLog,
  showEventLogEntry,
  replayEventLogEntry,
  replayEventLogRange,
] as const;
