import { z } from 'zod';
import { ENTRY_STATUSES } from './domain/event-log.js';

export const listEntriesQuery = z
  .object({
    provider: z.string().min(1).max(64).optional(),
    type: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe('Provider event type, or catalogue type for provider api.'),
    status: z.enum(ENTRY_STATUSES).optional(),
    from: z.iso.datetime({ offset: true }).optional().describe('Received at or after (RFC 3339).'),
    to: z.iso.datetime({ offset: true }).optional().describe('Received before (RFC 3339).'),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().max(200).optional().describe('nextCursor of the previous page.'),
  })
  .strict();

const reason = z.string().trim().min(3).max(500).describe('Why: recorded in the audit log.');

export const replayEntryRequest = z.object({ reason }).strict().meta({ id: 'ReplayEntryRequest' });

export const replayRangeRequest = z
  .object({
    provider: z.string().min(1).max(64),
    from: z.iso.datetime({ offset: true }),
    to: z.iso.datetime({ offset: true }),
    reason,
  })
  .strict()
  .refine((r) => Date.parse(r.from) < Date.parse(r.to), { message: 'from must be before to', path: ['to'] })
  .meta({ id: 'ReplayRangeRequest' });
