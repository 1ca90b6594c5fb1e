import { WebhookErrorCode } from '@tributary/webhooks';

/**
 * The stable problem codes of this API and their HTTP statuses (RFC 9457 `code` extension). Clients and
 * alerts key on the code; the status follows from it. Adding a code is backwards compatible, renaming one
 * is not (CHANGELOG).
 */
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
  // The encoder's codes (@tributary/kafka), spelled out so that this module, and the OpenAPI script that
  // imports it, load without the Kafka client; problem.spec.ts checks they stay equal.
  schemaValidationFailed: 'SCHEMA_VALIDATION_FAILED',
  unknownEventType: 'UNKNOWN_EVENT_TYPE',
  // Event log
  eventLogEntryNotFound: 'EVENT_LOG_ENTRY_NOT_FOUND',
  replayRangeTooLarge: 'REPLAY_RANGE_TOO_LARGE',
} as const;

export type ProblemCode = (typeof ProblemCode)[keyof typeof ProblemCode];

export const problemStatus: Readonly<Record<ProblemCode, number>> = {
  WEBHOOK_SIGNATURE_MISSING: 401,
  WEBHOOK_SIGNATURE_MALFORMED: 401,
  WEBHOOK_SIGNATURE_INVALID: 401,
  WEBHOOK_SIGNATURE_STALE: 401,
  WEBHOOK_PROVIDER_UNKNOWN: 404,
  // Fail closed, and look like an unknown provider from outside: which providers are configured is not
  // the caller's business. The boot log and the metric say it to operators.
  WEBHOOK_PROVIDER_NOT_CONFIGURED: 404,
  WEBHOOK_PAYLOAD_MALFORMED: 400,
  WEBHOOK_PAYLOAD_INVALID: 422,
  REQUEST_BODY_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  REQUEST_MALFORMED: 400,
  REQUEST_INVALID: 422,
  RATE_LIMITED: 429,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  INTERNAL: 500,
  SERVICE_UNAVAILABLE: 503,
  API_KEY_MISSING: 401,
  API_KEY_INVALID: 401,
  API_KEY_EXPIRED: 401,
  API_KEY_REVOKED: 401,
  API_KEY_SCOPE_MISSING: 403,
  IDEMPOTENCY_KEY_MISSING: 400,
  IDEMPOTENCY_KEY_REUSED: 422,
  SCHEMA_VALIDATION_FAILED: 422,
  UNKNOWN_EVENT_TYPE: 422,
  EVENT_LOG_ENTRY_NOT_FOUND: 404,
  REPLAY_RANGE_TOO_LARGE: 422,
};

export function isProblemCode(code: string): code is ProblemCode {
  return Object.hasOwn(problemStatus, code);
}

/** A client-facing failure: status from its code, a detail safe to show, and headers such as Retry-After. */
export class ProblemError extends Error {
  readonly status: number;

  constructor(
    readonly code: ProblemCode,
    readonly detail: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(detail);
    this.name = 'ProblemError';
    this.status = problemStatus[code];
  }
}

/** The RFC 9457 document. `type` is a URN per code, so it is stable without hosting pages. */
export interface ProblemDocument {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly instance?: string;
}

export function problemDocument(
  code: string,
  status: number,
  detail: string,
  instance?: string,
): ProblemDocument {
  return {
    type: `urn:tributary:problem:${code}`,
    title: code,
    status,
    code,
    detail,
    ...(instance === undefined ? {} : { instance }),
  };
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
