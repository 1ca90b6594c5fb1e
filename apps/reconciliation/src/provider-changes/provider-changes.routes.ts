import { defineRoute } from '@tributary/service-kit/http';
import { z } from 'zod';

// The contract's own lists: an added value is a compatible change of the API, a renamed one is not.
const surfaces = ['response', 'webhook'] as const;
const kinds = ['field_added', 'field_missing', 'type_changed', 'enum_value_added', 'status_added'] as const;
const severities = ['info', 'warning', 'error'] as const;
const statuses = ['open', 'acknowledged'] as const;
const jsonTypes = ['string', 'number', 'boolean', 'null', 'object', 'array'] as const;

const timestamp = z.iso.datetime({ offset: true });
const endpoint = z
  .string()
  .describe("The connector operation (payment_intents.create) or the provider's webhook event type.");
const httpStatus = z
  .number()
  .int()
  .nullable()
  .describe('The HTTP status of the response shape; null for a webhook.');

export const providerChangeView = z
  .object({
    id: z.uuid(),
    provider: z.string(),
    surface: z.enum(surfaces),
    endpoint,
    status: httpStatus,
    kind: z.enum(kinds),
    severity: z
      .enum(severities)
      .describe("error: the change touches a field the connector's code relies on (see usedBy)."),
    path: z
      .string()
      .nullable()
      .describe(
        'Where in the document, $.a.b[] style; null when the change is not at a path (a new status).',
      ),
    value: z.string().nullable().describe('What is new: the type, enum value or status seen.'),
    previous: z.string().nullable().describe('What was known before, when the change replaced something.'),
    usedBy: z.string().nullable().describe('The code that relies on the path, for an error.'),
    message: z.string(),
    shapeHash: z.string().describe('The shape that showed the change.'),
    observer: z.string().describe('The app that saw it (connector-payments, ingestion).'),
    occurrences: z.number().int().describe('Windows that showed it.'),
    firstSeenAt: timestamp,
    lastSeenAt: timestamp,
    acknowledgedAt: timestamp.nullable(),
    acknowledgedBy: z.string().nullable(),
    acknowledgedReason: z.string().nullable(),
    example: z
      .string()
      .nullable()
      .describe('JSON of the shape that showed it, personal data replaced by [REDACTED].'),
  })
  .meta({ id: 'ProviderChange' });

export const providerShapeView = z
  .object({
    provider: z.string(),
    surface: z.enum(surfaces),
    endpoint,
    status: httpStatus,
    hash: z.string().describe('Same fields, types, enum values and status: same hash.'),
    fields: z.array(z.object({ path: z.string(), type: z.enum(jsonTypes) })),
    enums: z.array(z.object({ path: z.string(), value: z.string() })),
    samples: z.number().int().describe('Samples of this shape seen so far.'),
    firstSeenAt: timestamp,
    lastSeenAt: timestamp,
    example: z.string().describe('JSON of its first sample, personal data replaced by [REDACTED].'),
  })
  .meta({ id: 'ProviderShape' });

const changeId = z.object({ id: z.uuid() });
const reasonBody = z
  .object({ reason: z.string().trim().min(3).max(1000) })
  .strict()
  .meta({ id: 'ProviderChangeAcknowledgeRequest' });

export const listProviderChanges = defineRoute({
  method: 'get',
  path: '/v1/provider-changes',
  operationId: 'listProviderChanges',
  summary: 'Provider changes, newest first',
  description:
    'What providers send that differs from what was known of the endpoint, in the order the changes were found, newest first: a change seen again keeps its place.',
  scope: 'reconciliation:read',
  request: {
    query: z.object({
      provider: z.string().max(100).optional(),
      surface: z.enum(surfaces).optional(),
      endpoint: z.string().max(200).optional(),
      kind: z.enum(kinds).optional(),
      severity: z.enum(severities).optional(),
      status: z.enum(statuses).optional().describe('Both when absent.'),
      limit: z.coerce.number().int().min(1).max(500).default(50),
      cursor: z.string().max(200).optional().describe('nextCursor of the previous page.'),
    }),
  },
  responses: {
    200: {
      description: 'A page.',
      schema: z
        .object({ items: z.array(providerChangeView), nextCursor: z.string().nullable() })
        .meta({ id: 'ProviderChangePage' }),
    },
  },
  problems: ['RECONCILIATION_CURSOR_INVALID'],
});

export const showProviderChange = defineRoute({
  method: 'get',
  path: '/v1/provider-changes/{id}',
  operationId: 'showProviderChange',
  summary: 'One provider change',
  scope: 'reconciliation:read',
  request: { params: changeId },
  responses: { 200: { description: 'The change.', schema: providerChangeView } },
  problems: ['RECONCILIATION_PROVIDER_CHANGE_NOT_FOUND'],
});

export const acknowledgeProviderChange = defineRoute({
  method: 'post',
  path: '/v1/provider-changes/{id}/acknowledge',
  operationId: 'acknowledgeProviderChange',
  summary: 'Acknowledge a provider change',
  description: 'Marks the change as seen and handled; audited with the reason.',
  scope: 'reconciliation:acknowledge',
  request: { params: changeId, body: reasonBody },
  responses: { 200: { description: 'Acknowledged.', schema: providerChangeView } },
  problems: ['RECONCILIATION_PROVIDER_CHANGE_NOT_FOUND', 'RECONCILIATION_PROVIDER_CHANGE_ACKNOWLEDGED'],
});

export const listProviderShapes = defineRoute({
  method: 'get',
  path: '/v1/provider-shapes',
  operationId: 'listProviderShapes',
  summary: 'Known shapes of provider responses and webhooks',
  description: 'Ordered by provider, surface, endpoint, status and firstSeenAt.',
  scope: 'reconciliation:read',
  request: {
    query: z.object({
      provider: z.string().max(100).optional(),
      surface: z.enum(surfaces).optional(),
      endpoint: z.string().max(200).optional(),
      limit: z.coerce.number().int().min(1).max(500).default(100),
    }),
  },
  responses: {
    200: {
      description: 'The shapes.',
      schema: z.object({ items: z.array(providerShapeView) }).meta({ id: 'ProviderShapeList' }),
    },
  },
});

export const providerChangeRoutes = [
  listProviderChanges,
  showProviderChange,
  acknowledgeProviderChange,
  listProviderShapes,
] as const;
