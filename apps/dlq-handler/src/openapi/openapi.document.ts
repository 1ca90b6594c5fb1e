import { z } from 'zod';
import { DLQ_SCOPES } from '../dlq-handler.config.js';
import { DEAD_LETTER_STATUSES } from '../dead-letters/dead-letter.js';
import { deadLetterFilter, replayRequest } from '../dead-letters/dead-letters.requests.js';
import { ProblemCode, dlqProblems } from '../http/problem.js';

/** Bumped with every change of the HTTP contract. */
export const API_VERSION = '1.1.0';

type Json = Record<string, unknown>;

const schemaOf = (schema: z.ZodType): Json => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
  }) as Json;
  return rest;
};

const problemRef = { $ref: '#/components/schemas/Problem' };
const json = (schema: Json) => ({ 'application/json': { schema } });

function problems(codes: readonly ProblemCode[]): Json {
  const byStatus = new Map<number, ProblemCode[]>();
  for (const code of codes)
    byStatus.set(dlqProblems[code].status, [...(byStatus.get(dlqProblems[code].status) ?? []), code]);
  return Object.fromEntries(
    [...byStatus]
      .sort(([a], [b]) => a - b)
      .map(([status, list]) => [
        String(status),
        {
          description: `Problem codes: ${list.join(', ')}.`,
          content: { 'application/problem+json': { schema: problemRef } },
        },
      ]),
  );
}

const auth = (scope: string) => ({ security: [{ apiKey: [scope] }] });
const authProblems = [
  ProblemCode.apiKeyMissing,
  ProblemCode.apiKeyInvalid,
  ProblemCode.scopeMissing,
] as const;

const filterParameters = [
  { name: 'group', in: 'query', schema: { type: 'string' }, description: 'Consumer group.' },
  {
    name: 'provider',
    in: 'query',
    schema: { type: 'string' },
    description: 'Provider whose connector failed (consumer group connector-<provider>).',
  },
  {
    name: 'topic',
    in: 'query',
    schema: { type: 'string' },
    description: 'Topic the record first failed on.',
  },
  { name: 'errorCode', in: 'query', schema: { type: 'string' } },
  { name: 'status', in: 'query', schema: { type: 'string', enum: [...DEAD_LETTER_STATUSES] } },
  { name: 'eventType', in: 'query', schema: { type: 'string' } },
  {
    name: 'replayQueued',
    in: 'query',
    schema: { type: 'string', enum: ['true', 'false'] },
    description: 'true: accepted for replay, not yet sent (progress of a bulk replay).',
  },
  {
    name: 'from',
    in: 'query',
    schema: { type: 'string', format: 'date-time' },
    description: 'Last failed at or after.',
  },
  {
    name: 'to',
    in: 'query',
    schema: { type: 'string', format: 'date-time' },
    description: 'Last failed before.',
  },
];

const idParameter = {
  name: 'id',
  in: 'path',
  required: true,
  schema: { type: 'string', format: 'uuid' },
  description: 'A dead-letter id; anything but a UUID is answered 400 DLQ_REQUEST_INVALID.',
};
const reasonBody = {
  required: true,
  content: json({
    type: 'object',
    required: ['reason'],
    additionalProperties: false,
    properties: { reason: { type: 'string', minLength: 3, maxLength: 1000 } },
  }),
};

const skipped = {
  type: 'array',
  description: 'Ids named in the request that the action left as they were, and why.',
  items: {
    type: 'object',
    required: ['id', 'status', 'code', 'reason'],
    properties: {
      id: { type: 'string' },
      status: { type: 'string', enum: [...DEAD_LETTER_STATUSES, 'missing'] },
      code: {
        type: 'string',
        enum: [ProblemCode.deadLetterNotFound, ProblemCode.stateConflict],
        description: 'What the single-id route would answer for this id.',
      },
      reason: { type: 'string' },
    },
  },
};

const bulkResult = (count: string) => ({
  type: 'object',
  required: [count, 'ids', 'skipped', 'auditId'],
  properties: {
    [count]: { type: 'integer' },
    ids: { type: 'array', items: { type: 'string', format: 'uuid' } },
    skipped,
    auditId: { type: 'string' },
  },
});

const summaryProperties = {
  id: { type: 'string', format: 'uuid' },
  consumerGroup: { type: 'string' },
  originalTopic: { type: 'string' },
  originalPartition: { type: 'integer' },
  originalOffset: { type: 'string' },
  eventId: { type: ['string', 'null'] },
  eventType: { type: ['string', 'null'] },
  errorCode: { type: 'string' },
  errorClass: { type: ['string', 'null'] },
  errorMessage: { type: ['string', 'null'] },
  attempts: { type: 'integer', description: 'Delivery attempts that failed, over all replays.' },
  deadLetteredCount: { type: 'integer', description: 'Times the record reached the DLQ.' },
  status: { type: 'string', enum: [...DEAD_LETTER_STATUSES] },
  firstFailedAt: { type: 'string', format: 'date-time' },
  lastFailedAt: { type: 'string', format: 'date-time' },
  replayCount: { type: 'integer' },
};

const header = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    value: { type: 'string' },
    encoding: { type: 'string', enum: ['utf8', 'base64'] },
  },
};

/** The OpenAPI 3.1 document of this app, built from the zod schemas the routes validate with. */
export function openApiDocument(): Json {
  const replay = {
    ...auth('dlq:replay'),
    responses: {
      '202': {
        description:
          'Accepted: sent at the replay rate to the retry tier each dead letter names (replayTopic). Pending, replaying (sent, no outcome) and replay_stalled dead letters are replayed; ids that are not are listed under skipped.',
        content: json(bulkResult('accepted')),
      },
    },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Tributary dead-letter handler',
      version: API_VERSION,
      description:
        'Generated by apps/dlq-handler/scripts/openapi.ts (npm run openapi -w @tributary/dlq-handler); do not edit openapi.json by hand. Errors are application/problem+json (RFC 9457) with a stable `code`.',
    },
    components: {
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          description: `API key as a bearer token. Scopes: ${DLQ_SCOPES.join(', ')}.`,
        },
      },
      schemas: {
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status', 'code', 'detail'],
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            code: { type: 'string', enum: Object.values(ProblemCode) },
            detail: { type: 'string' },
            instance: { type: 'string' },
          },
        },
        DeadLetterSummary: { type: 'object', properties: summaryProperties },
        DeadLetter: {
          type: 'object',
          properties: {
            ...summaryProperties,
            originalTimestamp: { type: ['string', 'null'], format: 'date-time' },
            dlq: {
              type: 'object',
              properties: {
                topic: { type: 'string' },
                partition: { type: 'integer' },
                offset: { type: 'string' },
              },
            },
            errorStack: { type: ['string', 'null'] },
            statusReason: { type: ['string', 'null'] },
            key: {
              type: ['object', 'null'],
              properties: { base64: { type: 'string' }, text: { type: ['string', 'null'] } },
            },
            value: {
              type: ['object', 'null'],
              properties: {
                base64: { type: 'string' },
                format: { type: 'string', enum: ['avro', 'json', 'none'] },
                schemaId: { type: ['integer', 'null'] },
                decoded: { description: 'The value as JSON, decoded with its writer schema.' },
                decodeError: { type: ['string', 'null'] },
              },
            },
            headers: { type: 'array', items: header },
            replayRequestedAt: { type: ['string', 'null'], format: 'date-time' },
            replayRequestedBy: { type: ['string', 'null'] },
            replayedAt: { type: ['string', 'null'], format: 'date-time' },
            replayTopic: {
              type: ['string', 'null'],
              description:
                'The retry tier replays of this dead letter go to: named by the DLQ record, else fixed at the first replay request. Never changed to another tier.',
            },
            replayStalledAt: {
              type: ['string', 'null'],
              format: 'date-time',
              description:
                'When the last sent replay was flagged replay_stalled: no outcome within REPLAY_STALL_AFTER_MS.',
            },
            replayError: {
              type: ['object', 'null'],
              description:
                'Why the last replay could not be sent (e.g. REPLAY_TARGET_MISSING); cleared by the next request.',
              properties: {
                code: { type: 'string' },
                message: { type: 'string' },
                at: { type: 'string', format: 'date-time' },
              },
            },
            resolvedAt: { type: ['string', 'null'], format: 'date-time' },
            discardedAt: { type: ['string', 'null'], format: 'date-time' },
            discardedBy: { type: ['string', 'null'] },
          },
        },
        Filter: schemaOf(deadLetterFilter),
        Selection: schemaOf(replayRequest),
      },
    },
    paths: {
      '/v1/dead-letters': {
        get: {
          summary: 'List dead letters, newest first',
          ...auth('dlq:read'),
          parameters: [
            ...filterParameters,
            {
              name: 'limit',
              in: 'query',
              schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
            },
            {
              name: 'cursor',
              in: 'query',
              schema: { type: 'string' },
              description: 'nextCursor of the previous page.',
            },
          ],
          responses: {
            '200': {
              description: 'A page.',
              content: json({
                type: 'object',
                properties: {
                  items: { type: 'array', items: { $ref: '#/components/schemas/DeadLetterSummary' } },
                  nextCursor: { type: ['string', 'null'] },
                },
              }),
            },
            ...problems([ProblemCode.filterInvalid, ProblemCode.cursorInvalid, ...authProblems]),
          },
        },
      },
      '/v1/dead-letters/counts': {
        get: {
          summary: 'Count dead letters by error code (and status, group)',
          ...auth('dlq:read'),
          parameters: filterParameters,
          responses: {
            '200': {
              description: 'Counts.',
              content: json({
                type: 'object',
                properties: {
                  total: { type: 'integer' },
                  byErrorCode: {
                    type: 'array',
                    items: {
                      type: 'object',
                      properties: {
                        errorCode: { type: 'string' },
                        total: { type: 'integer' },
                        byStatus: { type: 'object', additionalProperties: { type: 'integer' } },
                      },
                    },
                  },
                  rows: {
                    type: 'array',
                    items: {
                      type: 'object',
                      properties: {
                        errorCode: { type: 'string' },
                        status: { type: 'string' },
                        consumerGroup: { type: 'string' },
                        count: { type: 'integer' },
                      },
                    },
                  },
                },
              }),
            },
            ...problems([ProblemCode.filterInvalid, ...authProblems]),
          },
        },
      },
      '/v1/dead-letters/{id}': {
        get: {
          summary: 'Show one dead letter: headers, raw and decoded value, stack',
          ...auth('dlq:read'),
          parameters: [idParameter],
          responses: {
            '200': {
              description: 'The dead letter.',
              content: json({ $ref: '#/components/schemas/DeadLetter' }),
            },
            ...problems([ProblemCode.requestInvalid, ProblemCode.deadLetterNotFound, ...authProblems]),
          },
        },
      },
      '/v1/dead-letters/replay': {
        post: {
          summary: "Replay dead letters (ids or filter) into their group's first retry tier",
          ...replay,
          requestBody: { required: true, content: json({ $ref: '#/components/schemas/Selection' }) },
          responses: {
            ...replay.responses,
            ...problems([
              ProblemCode.requestMalformed,
              ProblemCode.requestInvalid,
              ProblemCode.filterInvalid,
              ProblemCode.replayTargetMissing,
              ProblemCode.selectionTooLarge,
              ...authProblems,
            ]),
          },
        },
      },
      '/v1/dead-letters/{id}/replay': {
        post: {
          summary: 'Replay one dead letter',
          ...replay,
          parameters: [idParameter],
          requestBody: reasonBody,
          responses: {
            ...replay.responses,
            ...problems([
              ProblemCode.requestInvalid,
              ProblemCode.deadLetterNotFound,
              ProblemCode.stateConflict,
              ProblemCode.replayTargetMissing,
              ...authProblems,
            ]),
          },
        },
      },
      '/v1/dead-letters/discard': {
        post: {
          summary:
            'Discard dead letters (ids or filter) with a reason: pending ones, and replaying or replay_stalled ones already sent; other ids are skipped with why',
          ...auth('dlq:discard'),
          requestBody: { required: true, content: json({ $ref: '#/components/schemas/Selection' }) },
          responses: {
            '200': { description: 'Discarded.', content: json(bulkResult('discarded')) },
            ...problems([
              ProblemCode.requestMalformed,
              ProblemCode.requestInvalid,
              ProblemCode.filterInvalid,
              ProblemCode.selectionTooLarge,
              ...authProblems,
            ]),
          },
        },
      },
      '/v1/dead-letters/{id}/discard': {
        post: {
          summary: 'Discard one dead letter (pending, or replaying or replay_stalled and already sent)',
          ...auth('dlq:discard'),
          parameters: [idParameter],
          requestBody: reasonBody,
          responses: {
            '200': { description: 'Discarded.', content: json(bulkResult('discarded')) },
            ...problems([
              ProblemCode.requestInvalid,
              ProblemCode.deadLetterNotFound,
              ProblemCode.stateConflict,
              ...authProblems,
            ]),
          },
        },
      },
    },
  };
}

export function renderOpenApi(): string {
  return `${JSON.stringify(openApiDocument(), null, 2)}\n`;
}
