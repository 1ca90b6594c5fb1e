import { KafkaErrorCodes } from '@tributary/kafka/errors';
import { WebhookErrorCode } from '@tributary/webhooks';
import { defineProblems } from '@tributary/service-kit';

/**
 * The problem codes of this API (RFC 9457 `code` extension), with their status and a short summary: the
 * kit's common and API-key codes plus ingestion's own. Clients and alerts key on the code; adding one is
 * backwards compatible, renaming one is not (CHANGELOG). Package errors (WebhookError, the encoder's) keep
 * their codes on the way out, so the catalogue uses theirs verbatim.
 */
export const ingestionProblems = defineProblems({
  [WebhookErrorCode.signatureMissing]: { status: 401, title: 'The webhook signature is missing' },
  [WebhookErrorCode.signatureMalformed]: { status: 401, title: 'The webhook signature cannot be read' },
  [WebhookErrorCode.signatureInvalid]: { status: 401, title: 'The webhook signature does not match' },
  [WebhookErrorCode.signatureStale]: { status: 401, title: 'The webhook signature is too old or too new' },
  [WebhookErrorCode.providerUnknown]: { status: 404, title: 'No such webhook provider' },
  // Fail closed, and look like an unknown provider from outside: which providers are configured is not
  // the caller's business. The boot log and the metric say it to operators.
  [WebhookErrorCode.providerNotConfigured]: {
    status: 404,
    title: 'Webhooks from this provider are not taken',
  },
  [WebhookErrorCode.payloadMalformed]: { status: 400, title: 'The webhook body is not JSON' },
  [WebhookErrorCode.payloadInvalid]: { status: 422, title: "The webhook body is not the provider's event" },
  IDEMPOTENCY_KEY_MISSING: { status: 400, title: 'An Idempotency-Key header is required' },
  IDEMPOTENCY_KEY_REUSED: { status: 422, title: 'The Idempotency-Key was used for another request' },
  [KafkaErrorCodes.SCHEMA_VALIDATION_FAILED]: { status: 422, title: 'The event does not match its schema' },
  [KafkaErrorCodes.UNKNOWN_EVENT_TYPE]: { status: 422, title: 'No such event type in the catalogue' },
  EVENT_KEY_NOT_AGGREGATE_ID: { status: 422, title: "The subject is not the event's aggregate id" },
  EVENT_LOG_ENTRY_NOT_FOUND: { status: 404, title: 'No such event log entry' },
  REPLAY_RANGE_TOO_LARGE: { status: 422, title: 'Too many entries to replay at once' },
});

export type ProblemCode = keyof typeof ingestionProblems;

/** The codes by name, so call sites read `ProblemCode.signatureMissing`. */
export const ProblemCode = {
  // Webhooks
  signatureMissing: WebhookErrorCode.signatureMissing,
  signatureMalformed: WebhookErrorCode.signatureMalformed,
  signatureInvalid: WebhookErrorCode.signatureInvalid,
  signatureStale: WebhookErrorCode.signatureStale,
  providerUnknown: WebhookErrorCode.providerUnknown,
  providerNotConfigured: WebhookErrorCode.providerNotConfigured,
  payloadMalformed: WebhookErrorCode.payloadMalformed,
  payloadInvalid: WebhookErrorCode.payloadInvalid,
  // Any route
  bodyTooLarge: 'REQUEST_BODY_TOO_LARGE',
  unsupportedMediaType: 'UNSUPPORTED_MEDIA_TYPE',
  requestMalformed: 'REQUEST_MALFORMED',
  requestInvalid: 'REQUEST_INVALID',
  rateLimited: 'RATE_LIMITED',
  notFound: 'NOT_FOUND',
  methodNotAllowed: 'METHOD_NOT_ALLOWED',
  internal: 'INTERNAL',
  unavailable: 'SERVICE_UNAVAILABLE',
  // API keys
  apiKeyMissing: 'API_KEY_MISSING',
  apiKeyInvalid: 'API_KEY_INVALID',
  apiKeyExpired: 'API_KEY_EXPIRED',
  apiKeyRevoked: 'API_KEY_REVOKED',
  scopeMissing: 'API_KEY_SCOPE_MISSING',
  // Internal events
  idempotencyKeyMissing: 'IDEMPOTENCY_KEY_MISSING',
  idempotencyKeyReused: 'IDEMPOTENCY_KEY_REUSED',
  schemaValidationFailed: KafkaErrorCodes.SCHEMA_VALIDATION_FAILED,
  unknownEventType: KafkaErrorCodes.UNKNOWN_EVENT_TYPE,
  eventKeyNotAggregateId: 'EVENT_KEY_NOT_AGGREGATE_ID',
  // Event log
  eventLogEntryNotFound: 'EVENT_LOG_ENTRY_NOT_FOUND',
  replayRangeTooLarge: 'REPLAY_RANGE_TOO_LARGE',
} as const satisfies Readonly<Record<string, ProblemCode>>;
