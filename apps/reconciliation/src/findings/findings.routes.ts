import { FINDING_CLASSES } from '@tributary/contracts';
import { defineRoute } from '@tributary/service-kit/http';
import { z } from 'zod';
import { RECONCILED_ENTITIES_LIST } from '../http/entities.js';
import { FINDING_DECISIONS, FINDING_STATUSES } from './domain/finding.js';

const fieldValues = z.record(z.string(), z.string().nullable());

export const findingView = z
  .object({
    id: z.uuid(),
    entity: z.enum(RECONCILED_ENTITIES_LIST),
    entityId: z.string().describe('Our id of the object (external:<id> when no platform id names it).'),
    class: z.enum(FINDING_CLASSES),
    status: z.enum(FINDING_STATUSES),
    decision: z.enum(FINDING_DECISIONS),
    diffs: z.array(
      z.object({ field: z.string(), local: z.string().nullable(), owner: z.string().nullable() }),
    ),
    local: fieldValues.nullable().describe("The platform's copy of the owned fields."),
    owner: fieldValues.nullable().describe("The owner's copy of the owned fields."),
    externalId: z.string().nullable(),
    ownerVersion: z.iso.datetime({ offset: true }).nullable(),
    repairEventId: z.uuid().nullable(),
    firstRunId: z.uuid(),
    lastRunId: z.uuid(),
    seenCount: z.number().int().describe('Runs that found it.'),
    firstSeenAt: z.iso.datetime({ offset: true }),
    lastSeenAt: z.iso.datetime({ offset: true }),
    decidedBy: z.string().nullable(),
    decidedReason: z.string().nullable(),
  })
  .meta({ id: 'Finding' });

const findingId = z.object({ id: z.uuid() });
const reasonBody = z
  .object({ reason: z.string().trim().min(3).max(1000) })
  .strict()
  .meta({ id: 'FindingDecisionRequest' });

export const listFindings = defineRoute({
  method: 'get',
  path: '/v1/findings',
  operationId: 'listFindings',
  summary: 'Findings, newest first',
  scope: 'reconciliation:read',
  request: {
    query: z.object({
      entity: z.enum(RECONCILED_ENTITIES_LIST).optional(),
      class: z.enum(FINDING_CLASSES).optional(),
      status: z.enum(FINDING_STATUSES).optional(),
      decision: z.enum(FINDING_DECISIONS).optional(),
      runId: z.uuid().optional(),
      limit: z.coerce.number().int().min(1).max(500).default(50),
      cursor: z.string().max(200).optional().describe('nextCursor of the previous page.'),
    }),
  },
  responses: {
    200: {
      description: 'A page.',
      schema: z
        .object({ items: z.array(findingView), nextCursor: z.string().nullable() })
        .meta({ id: 'FindingPage' }),
    },
  },
  problems: ['RECONCILIATION_CURSOR_INVALID'],
});

export const showFinding = defineRoute({
  method: 'get',
  path: '/v1/findings/{id}',
  operationId: 'showFinding',
  summary: 'One finding',
  scope: 'reconciliation:read',
  request: { params: findingId },
  responses: { 200: { description: 'The finding.', schema: findingView } },
  problems: ['RECONCILIATION_FINDING_NOT_FOUND'],
});

export const approveFinding = defineRoute({
  method: 'post',
  path: '/v1/findings/{id}/approve',
  operationId: 'approveFinding',
  summary: "Repair a finding with the owner's value",
  description: 'Emits the corrective event (once per object and owner version); audited with the reason.',
  scope: 'reconciliation:repair',
  request: { params: findingId, body: reasonBody },
  responses: { 200: { description: 'Repaired.', schema: findingView } },
  problems: [
    'RECONCILIATION_FINDING_NOT_FOUND',
    'RECONCILIATION_FINDING_STATE_CONFLICT',
    'RECONCILIATION_FINDING_NOT_REPAIRABLE',
  ],
});

export const dismissFinding = defineRoute({
  method: 'post',
  path: '/v1/findings/{id}/dismiss',
  operationId: 'dismissFinding',
  summary: 'Dismiss a finding',
  scope: 'reconciliation:repair',
  request: { params: findingId, body: reasonBody },
  responses: { 200: { description: 'Dismissed.', schema: findingView } },
  problems: ['RECONCILIATION_FINDING_NOT_FOUND', 'RECONCILIATION_FINDING_STATE_CONFLICT'],
});

export const findingRoutes = [listFindings, showFinding, approveFinding, dismissFinding] as const;
