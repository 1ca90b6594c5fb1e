import { ProviderError } from '../errors.js';
import type { ConnectorErrorCode } from '../errors.js';
import type { HeaderBag } from './rate-limit-headers.js';

/**
 * `low`: the call may only spend what the provider's budget holds beyond a reserve kept for `normal` calls,
 * and is refused at once rather than wait (see ProviderAdmission). Reconciliation reads are low.
 */
export type RequestPriority = 'normal' | 'low';

export interface ProviderRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Relative to the base URL, with its query string. */
  path: string;
  /** Bounded metric label, e.g. `payment_intents.create`. */
  operation: string;
  json?: unknown;
  /** application/x-www-form-urlencoded, already flattened (Stripe's `metadata[key]` style). */
  form?: Record<string, string>;
  headers?: Record<string, string>;
  /** Required for every method but GET (and a `readOnly` POST): the call must be safe to repeat after a crash. */
  idempotencyKey?: string;
  /**
   * A POST that only reads (HubSpot's search, a batch read): safe to repeat, so it needs no idempotency key.
   * Never set it on a call that changes anything.
   */
  readOnly?: boolean;
  /** Aborts the call and its retries, e.g. when the consumer stops. */
  signal?: AbortSignal;
  /** Default: the priority of the work the call is made for (`withRequestPriority`), else `normal`. */
  priority?: RequestPriority;
}

export interface ProviderResponse<T = unknown> {
  status: number;
  headers: HeaderBag;
  body: T;
}

/** A failed call to `provider`, labelled with the request's operation. */
export function providerError(
  provider: string,
  code: ConnectorErrorCode,
  request: ProviderRequest,
  retriable: boolean,
  details: { message: string; status?: number; body?: unknown; retryAfterMs?: number; cause?: unknown },
): ProviderError {
  const { message, ...rest } = details;
  return new ProviderError(code, message, {
    provider,
    operation: request.operation,
    retriable,
    ...rest,
  });
}
