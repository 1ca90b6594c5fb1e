import { RECONCILED_ENTITIES_LIST } from '../http/entities.js';
import { defineRoute } from '@tributary/service-kit/http';
import { z } from 'zod';
import { RUN_MODES, RUN_STATUSES, RUN_TRIGGERS } from './domain/run.js';

const entity = z.enum(RECONCILED_ENTITIES_LIST);

export const runView = z
  .object({
    id: z.uuid(),
    entity,
    provider: z.string().describe('The owner the run read, e.g. stripe.'),
    trigger: z.enum(RUN_TRIGGERS),
    mode: z.enum(RUN_MODES),
    dryRun: z.boolean().describe('Reports only; nothing is repaired.'),
    windowFrom: z.iso.datetime({ offset: true }).nullable(),
    windowTo: z.iso.datetime({ offset: true }).nullable(),
    ids: z.array(z.string()),
    status: z.enum(RUN_STATUSES),
    requestedBy: z.string(),
    pages: z.number().int().describe('Pages handled so far.'),
    compared: z.number().int(),
    mismatches: z.number().int(),
    deferred: z.number().int().describe('Objects changed during their read or within the settle window.'),
    unverifiable: z.number().int().describe('Page reads that failed (asked again; never mismatches).'),
    repairsEmitted: z.number().int(),
    repairsDryRun: z.number().int(),
    repairsSuppressed: z.number().int(),
    error: z.string().nullable(),
    startedAt: z.iso.datetime({ offset: true }),
    finishedAt: z.iso.datetime({ offset: true }).nullable(),
  })
  .meta({ id: 'Run' });

export const startRunRequest = z
  .object({
    entity,
    mode: z.enum(RUN_MODES).default('incremental'),
    dryRun: z.boolean().optional().describe("Report only. Default: the entity's repair setting."),
    from: z.iso
      .datetime({ offset: true })
      .optional()
      .describe('incremental: owner changes from (inclusive).'),
    to: z.iso.datetime({ offset: true }).optional().describe('incremental: owner changes to (inclusive).'),
    ids: z
      .array(z.string().min(1).max(200))
      .min(1)
      .max(1000)
      .optional()
      .describe('ids: our ids of the objects.'),
    reason: z.string().trim().min(3).max(1000).optional(),
  })
  .strict()
  .refine((r) => (r.mode === 'ids') === (r.ids !== undefined), {
    message: 'ids go with mode ids, and only with it',
    path: ['ids'],
  })
  .meta({ id: 'StartRunRequest' });

const runId = z.object({ id: z.uuid() });

export const startRun = defineRoute({
  method: 'post',
  path: '/v1/runs',
  operationId: 'startRun',
  summary: 'Start a run',
  description:
    'Asks the owner for its first page at once; the run goes on page by page, checkpointed after each.',
  scope: 'reconciliation:run',
  request: { body: startRunRequest },
  responses: { 202: { description: 'Started.', schema: runView } },
  problems: ['RECONCILIATION_RUN_ALREADY_RUNNING'],
});

export const listRuns = defineRoute({
  method: 'get',
  path: '/v1/runs',
  operationId: 'listRuns',
  summary: 'Runs, newest first',
  scope: 'reconciliation:read',
  request: {
    query: z.object({
      entity: entity.optional(),
      status: z.enum(RUN_STATUSES).optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
      cursor: z.string().max(200).optional().describe('nextCursor of the previous page.'),
    }),
  },
  responses: {
    200: {
      description: 'A page.',
      schema: z
        .object({ items: z.array(runView), nextCursor: z.string().nullable() })
        .meta({ id: 'RunPage' }),
    },
  },
  problems: ['RECONCILIATION_CURSOR_INVALID'],
});

export const showRun = defineRoute({
  method: 'get',
  path: '/v1/runs/{id}',
  operationId: 'showRun',
  summary: 'One run',
  scope: 'reconciliation:read',
  request: { params: runId },
  responses: { 200: { description: 'The run.', schema: runView } },
  problems: ['RECONCILIATION_RUN_NOT_FOUND'],
});

export const runRoutes = [startRun, listRuns, showRun] as const;
