import { defineRoute } from '@tributary/service-kit/http';
import { z } from 'zod';
import type { ApiKeyScope } from '../api-keys/api-key-scopes.js';
import { rateLimitHeaders, rateLimitedHeaders } from '../http/rate-limit-headers.js';
import { idempotencyKeyPattern, publishEventRequest, publishEventResponse } from './publish-event.request.js';

export const publishEvent = defineRoute({
  method: 'post',
  path: '/v1/events',
  operationId: 'publishEvent',
  summary: 'Publish a catalogue event',
  description:
    "Validates the payload against the type's Avro schema and writes the event to the event log and the outbox. Retries with the same Idempotency-Key and body get the same answer.",
  scope: 'events:publish' satisfies ApiKeyScope,
  request: {
    headers: z.object({
      'idempotency-key': z
        .string()
        .regex(idempotencyKeyPattern)
        .describe('1-255 printable ASCII characters, e.g. a UUID; scoped to the client name.'),
      traceparent: z.string().max(55).optional().describe('W3C trace context, unless the body gives one.'),
    }),
    body: publishEventRequest,
  },
  responses: {
    202: {
      description: 'Accepted; the same answer for a retry.',
      schema: publishEventResponse,
      headers: rateLimitHeaders,
    },
  },
  problems: [
    'EVENT_KEY_NOT_AGGREGATE_ID',
    'IDEMPOTENCY_KEY_MISSING',
    'IDEMPOTENCY_KEY_REUSED',
    'SCHEMA_VALIDATION_FAILED',
    'UNKNOWN_EVENT_TYPE',
  ],
  problemHeaders: { 429: rateLimitedHeaders },
});

export const eventRoutes = [publishEvent] as const;
