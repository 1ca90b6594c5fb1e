import { webhookDefinitions } from '@tributary/webhooks';
import { z } from 'zod';
import {
  entryDetail,
  entryPage,
  replayEntryRequest,
  replayRangeRequest,
  replayResponse,
} from '../event-log/event-log.requests.js';
import { ENTRY_STATUSES } from '../event-log/event-log.js';
import { publishEventRequest, publishEventResponse } from '../events/publish-event.request.js';
import { ProblemCode, ingestionProblems } from '../http/problem.js';
import { API_KEY_SCOPES } from '../api-keys/api-key-scopes.js';

/** Bumped with every change of the HTTP contract; CHANGELOG.md says what changed. */
export const API_VERSION = '1.0.0';

type Json = Record<string, unknown>;

const schemaOf = (schema: z.ZodType, io: 'input' | 'output'): Json => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Json;
  return rest;
};

const problemRef = { $ref: '#/components/schemas/Problem' };

/** Problem responses grouped by status, each listing the codes the route may answer with. */
function problems(codes: readonly ProblemCode[]): Json {
  const byStatus = new Map<number, ProblemCode[]>();
  for (const code of codes)
    byStatus.set(ingestionProblems[code].status, [
      ...(byStatus.get(ingestionProblems[code].status) ?? []),
      code,
    ]);
  return Object.fromEntries(
    [...byStatus]
      .sort(([a], [b]) => a - b)
      .map(([status, list]) => [
        String(status),
        {
          description: `Problem codes: ${list.join(', ')}.`,
          ...(status === 429 ? { headers: rateLimitHeaders(true) } : {}),
          content: { 'application/problem+json': { schema: problemRef } },
        },
      ]),
  );
}

function rateLimitHeaders(refused: boolean): Json {
  return {
    RateLimit: {
      description: 'draft-ietf-httpapi-ratelimit-headers: remaining (r) and seconds (t).',
      schema: { type: 'string' },
    },
    'RateLimit-Policy': {
      description: 'Bucket size (q) and refill window in seconds (w).',
      schema: { type: 'string' },
    },
    ...(refused ? { 'Retry-After': { description: 'Seconds to wait.', schema: { type: 'integer' } } } : {}),
  };
}

const json = (schema: Json) => ({ 'application/json': { schema } });
const apiKey = (scope: string) => ({ security: [{ apiKey: [scope] }] });
const authProblems = [
  ProblemCode.apiKeyMissing,
  ProblemCode.apiKeyInvalid,
  ProblemCode.apiKeyExpired,
  ProblemCode.apiKeyRevoked,
  ProblemCode.scopeMissing,
  ProblemCode.rateLimited,
] as const;

function webhookDescription(): string {
  const rows = Object.values(webhookDefinitions)
    .sort((a, b) => a.provider.localeCompare(b.provider))
    .map(
      (d) =>
        `| ${d.provider} | ${d.domain} | ${d.scheme.name} | ${d.scheme.headers.join(', ')} | ${d.secretsEnv} |`,
    );
  return [
    'Receives a signed webhook. The raw body is verified before it is parsed; a provider without configured secrets is refused.',
    'Each provider event is deduplicated on its provider identity; a delivery whose events were all seen before answers 200 and publishes nothing.',
    '',
    '| provider | domain | scheme | headers | secrets |',
    '|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

const webhookResponse = {
  type: 'object',
  required: ['outcome', 'entries'],
  properties: {
    outcome: { type: 'string', enum: ['accepted', 'duplicate'] },
    entries: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'dedupeKey', 'status', 'duplicate', 'eventIds'],
        properties: {
          id: { type: 'string', format: 'uuid', description: 'Event log entry.' },
          dedupeKey: { type: 'string' },
          status: { type: 'string', enum: [...ENTRY_STATUSES] },
          duplicate: { type: 'boolean' },
          eventIds: { type: 'array', items: { type: 'string', format: 'uuid' } },
        },
      },
    },
  },
};

const listParameters = [
  { name: 'provider', in: 'query', schema: { type: 'string' } },
  {
    name: 'type',
    in: 'query',
    schema: { type: 'string' },
    description: 'Provider event type, or catalogue type for provider api.',
  },
  { name: 'status', in: 'query', schema: { type: 'string', enum: [...ENTRY_STATUSES] } },
  {
    name: 'from',
    in: 'query',
    schema: { type: 'string', format: 'date-time' },
    description: 'Received at or after.',
  },
  {
    name: 'to',
    in: 'query',
    schema: { type: 'string', format: 'date-time' },
    description: 'Received before.',
  },
  { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 } },
  {
    name: 'cursor',
    in: 'query',
    schema: { type: 'string' },
    description: 'nextCursor of the previous page.',
  },
];

const idParameter = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };

/** The OpenAPI 3.1 document of this app, built from the same zod schemas the routes validate with. */
export function openApiDocument(): Json {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Tributary ingestion',
      version: API_VERSION,
      description:
        'Generated by apps/ingestion/scripts/openapi.ts from the code (npm run openapi -w @tributary/ingestion); do not edit openapi.json by hand. Errors are application/problem+json (RFC 9457) with a stable `code`.',
    },
    paths: {
      '/webhooks/{provider}': {
        post: {
          operationId: 'receiveWebhook',
          summary: 'Receive a provider webhook',
          description: webhookDescription(),
          parameters: [
            {
              name: 'provider',
              in: 'path',
              required: true,
              schema: { type: 'string', enum: Object.keys(webhookDefinitions).sort() },
            },
          ],
          requestBody: {
            required: true,
            content: json({ description: "The provider's payload, as the provider sends it." }),
          },
          responses: {
            '200': {
              description: 'Duplicate: every event was received before; nothing published.',
              headers: rateLimitHeaders(false),
              content: json(webhookResponse),
            },
            '202': {
              description: 'Stored in the event log; mapped events are in the outbox.',
              headers: rateLimitHeaders(false),
              content: json(webhookResponse),
            },
            ...problems([
              ProblemCode.payloadMalformed,
              ProblemCode.signatureMissing,
              ProblemCode.signatureMalformed,
              ProblemCode.signatureInvalid,
              ProblemCode.signatureStale,
              ProblemCode.providerUnknown,
              ProblemCode.providerNotConfigured,
              ProblemCode.bodyTooLarge,
              ProblemCode.unsupportedMediaType,
              ProblemCode.payloadInvalid,
              ProblemCode.rateLimited,
            ]),
          },
        },
      },
      '/v1/events': {
        post: {
          operationId: 'publishEvent',
          summary: 'Publish a catalogue event',
          description:
            "Validates the payload against the type's Avro schema and writes the event to the event log and the outbox. Retries with the same Idempotency-Key and body get the same answer.",
          ...apiKey('events:publish'),
          parameters: [
            {
              name: 'Idempotency-Key',
              in: 'header',
              required: true,
              schema: { type: 'string', maxLength: 255 },
            },
            { name: 'traceparent', in: 'header', required: false, schema: { type: 'string' } },
          ],
          requestBody: { required: true, content: json(schemaOf(publishEventRequest, 'input')) },
          responses: {
            '202': {
              description: 'Accepted; the same answer for a retry.',
              headers: rateLimitHeaders(false),
              content: json(schemaOf(publishEventResponse, 'output')),
            },
            ...problems([
              ProblemCode.requestMalformed,
              ProblemCode.idempotencyKeyMissing,
              ...authProblems,
              ProblemCode.bodyTooLarge,
              ProblemCode.unsupportedMediaType,
              ProblemCode.requestInvalid,
              ProblemCode.idempotencyKeyReused,
              ProblemCode.schemaValidationFailed,
              ProblemCode.unknownEventType,
            ]),
          },
        },
      },
      '/v1/event-log': {
        get: {
          operationId: 'listEventLog',
          summary: 'List webhooks and events received, newest first',
          ...apiKey('events:read'),
          parameters: listParameters,
          responses: {
            '200': { description: 'A page of entries.', content: json(schemaOf(entryPage, 'output')) },
            ...problems([...authProblems, ProblemCode.requestInvalid]),
          },
        },
      },
      '/v1/event-log/{id}': {
        get: {
          operationId: 'showEventLogEntry',
          summary: 'One entry with its payload and the delivery state of its events',
          ...apiKey('events:read'),
          parameters: [idParameter],
          responses: {
            '200': { description: 'The entry.', content: json(schemaOf(entryDetail, 'output')) },
            ...problems([...authProblems, ProblemCode.eventLogEntryNotFound]),
          },
        },
      },
      '/v1/event-log/{id}/replay': {
        post: {
          operationId: 'replayEventLogEntry',
          summary: 'Replay one entry (audited)',
          ...apiKey('events:replay'),
          parameters: [idParameter],
          requestBody: { required: true, content: json(schemaOf(replayEntryRequest, 'input')) },
          responses: {
            '202': { description: 'Replayed.', content: json(schemaOf(replayResponse, 'output')) },
            ...problems([
              ...authProblems,
              ProblemCode.requestMalformed,
              ProblemCode.unsupportedMediaType,
              ProblemCode.requestInvalid,
              ProblemCode.eventLogEntryNotFound,
            ]),
          },
        },
      },
      '/v1/event-log/replay': {
        post: {
          operationId: 'replayEventLogRange',
          summary: "Replay a provider's entries received in [from, to) (audited)",
          ...apiKey('events:replay'),
          requestBody: { required: true, content: json(schemaOf(replayRangeRequest, 'input')) },
          responses: {
            '202': { description: 'Replayed.', content: json(schemaOf(replayResponse, 'output')) },
            ...problems([
              ...authProblems,
              ProblemCode.requestMalformed,
              ProblemCode.unsupportedMediaType,
              ProblemCode.requestInvalid,
              ProblemCode.replayRangeTooLarge,
            ]),
          },
        },
      },
    },
    components: {
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          description: `API key trb_<id>_<secret> (tributary api-keys create). Scopes: ${API_KEY_SCOPES.join(', ')}.`,
        },
      },
      schemas: {
        Problem: {
          type: 'object',
          description: 'RFC 9457 problem details with a stable code.',
          required: ['type', 'title', 'status', 'code', 'detail'],
          properties: {
            type: { type: 'string', description: 'urn:tributary:problem:<code>' },
            title: { type: 'string' },
            status: { type: 'integer' },
            code: { type: 'string', enum: Object.values(ProblemCode).sort() },
            detail: { type: 'string' },
            instance: { type: 'string' },
          },
        },
      },
    },
  };
}

/** The committed form: stable key order from construction, two-space indent, trailing newline. */
export function renderOpenApi(): string {
  return `${JSON.stringify(openApiDocument(), null, 2)}\n`;
}
