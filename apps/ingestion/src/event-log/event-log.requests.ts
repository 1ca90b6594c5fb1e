import { z } from 'zod';
import { ENTRY_STATUSES } from './event-log.js';

export const listEntriesQuery = z
  .object({
    provider: z.string().min(1).max(64).optional(),
    type: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe('Provider event type, or catalogue type for provider api.'),
    status: z.enum(ENTRY_STATUSES as [string, ...string[]]).optional(),
    from: z.iso.datetime({ offset: true }).optional().describe('Received at or after (RFC 3339).'),
    to: z.iso.datetime({ offset: true }).optional().describe('Received before (RFC 3339).'),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().max(200).optional().describe('nextCursor of the previous page.'),
  })
  .strict();

const reason = z.string().trim().min(3).max(500).describe('Why: recorded in the audit log.');

export const replayEntryRequest = z.object({ reason }).strict();

export const replayRangeRequest = z
  .object({
    provider: z.string().min(1).max(64),
    from: z.iso.datetime({ offset: true }),
    to: z.iso.datetime({ offset: true }),
    reason,
  })
  .strict()
  .refine((r) => Date.parse(r.from) < Date.parse(r.to), { message: 'from must be before to', path: ['to'] });

const summary = z.object({
  id: z.uuid(),
  source: z.enum(['webhook', 'api']),
  provider: z.string(),
  dedupeKey: z.string(),
  eventType: z.string(),
  status: z.enum(ENTRY_STATUSES as [string, ...string[]]),
  statusReason: z.string().nullable(),
  occurredAt: z.string().nullable(),
  receivedAt: z.string(),
  replayCount: z.number().int(),
  eventIds: z.array(z.uuid()),
});

export const entryPage = z.object({ items: z.array(summary), nextCursor: z.string().nullable() });

export const entryDetail = summary.extend({
  payload: z.unknown(),
  updatedAt: z.string(),
  events: z.array(
    z.object({
      eventId: z.uuid(),
      type: z.string(),
      topic: z.string(),
      subject: z.string(),
      delivery: z.enum(['pending', 'published', 'unknown']),
      publishedAt: z.string().nullable(),
    }),
  ),
});

export const replayResponse = z.object({
  replayId: z.uuid().describe('Also the tributary-replay-id header of every republished record.'),
  entries: z.number().int(),
  republished: z.number().int().describe('Entries whose events were sent again, with their original ce_id.'),
  remapped: z.number().int().describe('Entries that had produced nothing and map now.'),
  skipped: z.number().int(),
  eventIds: z.array(z.uuid()),
});

export type ReplayResponse = z.infer<typeof replayResponse>;
