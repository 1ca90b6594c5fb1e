import { TributaryError } from '@tributary/contracts';

/** Stable codes of connector failures: DLQ headers, alerts and logs carry them. */
export const ConnectorErrorCode = {
  /** No response within the per-call timeout. Retriable: the idempotency key makes the retry safe. */
  providerTimeout: 'PROVIDER_TIMEOUT',
  /** Connection refused or reset, or a 5xx/408/409/425. Retriable. */
  providerUnavailable: 'PROVIDER_UNAVAILABLE',
  /** 429, Retry-After, an empty token bucket or a rate-limit window: pause, do not hammer. */
  providerRateLimited: 'PROVIDER_RATE_LIMITED',
  /** Any other 4xx: the request itself is wrong and will be wrong again. Not retriable. */
  providerRejected: 'PROVIDER_REJECTED',
  /** The provider's circuit breaker is open: the partition pauses until the half-open probe. */
  circuitOpen: 'PROVIDER_CIRCUIT_OPEN',
  /** An effectful call without an idempotency key: a programming error, refused before it is sent. */
  idempotencyKeyMissing: 'IDEMPOTENCY_KEY_MISSING',
  /**
   * An effectful call of an event older than the provider's key lifetime, from a handler that is declared
   * to look its effect up first and did not: refused before it is sent, not retriable (a dead letter, not a
   * second charge).
   */
  lookupMissing: 'IDEMPOTENCY_LOOKUP_MISSING',
  definitionInvalid: 'CONNECTOR_DEFINITION_INVALID',
  /**
   * The provider answered 2xx with something that is not what the operation returns (a truncated or cut-off
   * body, a missing list). Retriable: a read of the same page again usually gets a whole answer.
   */
  providerAnswerMalformed: 'PROVIDER_ANSWER_MALFORMED',
  /** A reconciliation cursor this reader did not write (or an older reader's): the walk restarts. */
  readCursorInvalid: 'RECONCILIATION_CURSOR_INVALID',
  /** A reader returned a page the contract refuses (a record without id or version): a reader bug. */
  readerAnswerInvalid: 'RECONCILIATION_READER_INVALID',
} as const;

export type ConnectorErrorCode = (typeof ConnectorErrorCode)[keyof typeof ConnectorErrorCode];

/** A failed provider call, classified for the consumer runner, with what the provider said. */
export class ProviderError extends TributaryError {
  readonly provider: string;
  readonly operation: string;
  /** HTTP status when the provider answered. */
  readonly status?: number;
  /** Parsed JSON body (or text) of the provider's answer, for handlers that map declines to events. */
  readonly body?: unknown;

  constructor(
    code: ConnectorErrorCode,
    message: string,
    details: {
      provider: string;
      operation: string;
      retriable: boolean;
      status?: number;
      body?: unknown;
      retryAfterMs?: number;
      cause?: unknown;
    },
  ) {
    super(code, message, {
      retriable: details.retriable,
      ...(details.retryAfterMs === undefined ? {} : { retryAfterMs: details.retryAfterMs }),
      ...(details.cause === undefined ? {} : { cause: details.cause }),
    });
    this.provider = details.provider;
    this.operation = details.operation;
    if (details.status !== undefined) this.status = details.status;
    if (details.body !== undefined) this.body = details.body;
  }
}

export function isProviderError(error: unknown): error is ProviderError {
  return error instanceof ProviderError;
}

/**
 * The provider's 2xx answer to `operation` is not what the operation returns: a retriable
 * `PROVIDER_ANSWER_MALFORMED` naming what was wrong (never the body, which may hold personal data).
 */
export function malformedAnswer(provider: string, operation: string, what: string): ProviderError {
  return new ProviderError(
    ConnectorErrorCode.providerAnswerMalformed,
    `${operation}: malformed answer from ${provider}: ${what}`,
    { provider, operation, retriable: true },
  );
}
