import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  DelegateBackoff,
  circuitBreaker,
  fullJitterGenerator,
  handleWhen,
  retry,
} from 'cockatiel';
import type { CircuitBreakerPolicy } from 'cockatiel';
import { metrics } from '@tributary/observability';
import { Pool } from 'undici';
import { ConnectorErrorCode, ProviderError } from '../errors.js';
import type { AdaptivePacingOptions } from './adaptive-pacer.js';
import { PacedLimiter } from './paced-limiter.js';
import {
  DEFAULT_REMAINING_HEADERS,
  clamp,
  header,
  rateLimitRemaining,
  rateLimitResetMs,
  retryAfterMs,
} from './rate-limit-headers.js';
import type { HeaderBag } from './rate-limit-headers.js';

/** How hard a connector may lean on its provider. Every field has a safe default. */
export interface ProviderLimits {
  /** Per attempt, until the whole response body is read. Default 10 s. */
  timeoutMs?: number;
  /** In-process retries of one call: full-jitter exponential backoff, no retry starts after `budgetMs`. */
  retry?: { maxRetries?: number; initialDelayMs?: number; maxDelayMs?: number; budgetMs?: number };
  /** Consecutive failed attempts (timeouts, connection errors, 5xx) that open the breaker; half-open after. */
  breaker?: { consecutiveFailures?: number; halfOpenAfterMs?: number };
  /**
   * Token bucket; absent means no configured client-side limit (pacing after 429s still applies).
   * `maxWaitMs` (default 1 s) is the longest a call waits in process for its slot, or for a short hold to
   * end; beyond it the call is refused with `retryAfterMs` and the partition pauses instead.
   */
  rateLimit?: { requestsPerSecond: number; burst?: number; maxWaitMs?: number };
  /**
   * After a 429 the client paces its calls to a bit below the rate the provider let through and raises it
   * slowly while calls succeed, up to `rateLimit` (AIMD, see AdaptivePacer), instead of stopping every call
   * for each Retry-After and bursting afterwards. Retry-After still holds the refused call, and every call
   * when it is longer than `holdAllAboveMs`. On by default; `false` turns it off.
   */
  adaptivePacing?: AdaptivePacingOptions | false;
  /** Bounds for honouring Retry-After (and the pause when a 429 carries none: `min`). Default 1 s .. 5 min. */
  retryAfter?: { minMs?: number; maxMs?: number };
  /** Header names that report the remaining requests of the provider's window. */
  remainingHeaders?: readonly string[];
  /**
   * A provider that reports its rolling window instead of sending Retry-After (HubSpot:
   * X-HubSpot-RateLimit-Remaining / -Interval-Milliseconds): at 0 remaining every call holds for the
   * interval, and a 429 without Retry-After waits the interval rather than `retryAfter.minMs`.
   */
  rateLimitWindow?: { remainingHeader: string; intervalMsHeader: string };
  /**
   * Statuses that are permanent for this provider although they are retriable in general (HubSpot's 409
   * CONFLICT is a unique value held by another record; Stripe's 409 is a key still in use, worth a retry).
   */
  nonRetriableStatuses?: readonly number[];
  /** Concurrent connections to the provider. Default 10. */
  connections?: number;
}

export interface ProviderHttpClientOptions extends ProviderLimits {
  /** Metric label and circuit-breaker name, e.g. `stripe`. */
  provider: string;
  /** Base URL; pointing a connector at the real provider or the simulator changes only this. */
  baseUrl: string;
  /** Sent on every call, e.g. `authorization`. */
  defaultHeaders?: Record<string, string>;
  /** The provider's idempotency header. Default `Idempotency-Key` (Stripe, Shippo, many others). */
  idempotencyHeader?: string;
}

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
  /** Required for every method but GET: the call must be safe to repeat after a crash. */
  idempotencyKey?: string;
  /** Aborts the call and its retries, e.g. when the consumer stops. */
  signal?: AbortSignal;
}

export interface ProviderResponse<T = unknown> {
  status: number;
  headers: HeaderBag;
  body: T;
}

const DEFAULTS = {
  timeoutMs: 10_000,
  retry: { maxRetries: 3, initialDelayMs: 100, maxDelayMs: 2_000, budgetMs: 8_000 },
  breaker: { consecutiveFailures: 5, halfOpenAfterMs: 10_000 },
  retryAfter: { minMs: 1_000, maxMs: 300_000 },
  connections: 10,
};

const RETRIABLE_STATUSES = new Set([408, 409, 425]);
const breakerStates = ['closed', 'open', 'half_open'] as const;

/**
 * The HTTP client every connector talks to its provider through (DESIGN §6, §8). Per call, in order:
 * 1. Effectful calls must carry an idempotency key, sent in the provider's header.
 * 2. A hold the provider asked for (a long Retry-After, a spent window), or the token bucket at the paced
 *    rate, makes the call wait when the wait is short (`rateLimit.maxWaitMs`), and otherwise refuses it with
 *    a retriable `PROVIDER_RATE_LIMITED` carrying `retryAfterMs`: the consumer pauses the partition.
 * 3. Attempts run through the provider's circuit breaker with a timeout each; timeouts, connection errors
 *    and 5xx are retried with full-jitter backoff inside a time budget, with the same key.
 * 4. 429 → `PROVIDER_RATE_LIMITED` (Retry-After clamped, never retried here) and the pacing rate drops;
 *    other 4xx → `PROVIDER_REJECTED`, not retriable; an open breaker → `PROVIDER_CIRCUIT_OPEN` until the
 *    half-open probe.
 */
export class ProviderHttpClient {
  readonly provider: string;
  readonly #options: ProviderHttpClientOptions;
  readonly #pool: Pool;
  readonly #basePath: string;
  /** The configured token bucket, at the lower rate the provider's 429s taught while they hold it down. */
  readonly #limiter: PacedLimiter;
  #reportedRate: number | undefined;
  readonly #breaker: CircuitBreakerPolicy;
  readonly #settings: {
    timeoutMs: number;
    retry: Required<NonNullable<ProviderLimits['retry']>>;
    breaker: Required<NonNullable<ProviderLimits['breaker']>>;
    retryAfter: Required<NonNullable<ProviderLimits['retryAfter']>>;
  };
  #blockedUntil = 0;
  #openedAt = 0;

  constructor(options: ProviderHttpClientOptions) {
    this.#options = options;
    this.provider = options.provider;
    const url = new URL(options.baseUrl);
    this.#basePath = url.pathname.replace(/\/$/, '');
    this.#pool = new Pool(url.origin, { connections: options.connections ?? DEFAULTS.connections });
    this.#settings = {
      timeoutMs: options.timeoutMs ?? DEFAULTS.timeoutMs,
      retry: { ...DEFAULTS.retry, ...options.retry },
      breaker: { ...DEFAULTS.breaker, ...options.breaker },
      retryAfter: { ...DEFAULTS.retryAfter, ...options.retryAfter },
    };
    this.#limiter = new PacedLimiter({
      rateLimit: options.rateLimit,
      adaptivePacing: options.adaptivePacing,
    });
    this.#reportPacingRate();
    // Only signs of an unhealthy provider count: a 4xx is our request's fault, a 429 is load we pause for.
    this.#breaker = circuitBreaker(
      handleWhen((error) => error instanceof ProviderError && countsAgainstBreaker(error.code)),
      {
        halfOpenAfter: this.#settings.breaker.halfOpenAfterMs,
        breaker: new ConsecutiveBreaker(this.#settings.breaker.consecutiveFailures),
      },
    );
    this.#setBreakerState(CircuitState.Closed);
    this.#breaker.onStateChange((state) => this.#setBreakerState(state));
    this.#breaker.onBreak(() => {
      this.#openedAt = Date.now();
    });
  }

  /** Requests per second calls are paced to now; `Infinity` when nothing limits them. */
  get pacingRate(): number {
    return this.#limiter.rate;
  }

  /** Breaker state for health and tests. */
  get circuitState(): 'closed' | 'open' | 'half_open' {
    return breakerLabel(this.#breaker.state);
  }

  async request<T = unknown>(request: ProviderRequest): Promise<ProviderResponse<T>> {
    if (request.method !== 'GET' && !request.idempotencyKey) {
      throw this.#error(ConnectorErrorCode.idempotencyKeyMissing, request, false, {
        message: `${request.method} ${request.operation} without an idempotency key`,
      });
    }
    await this.#admit(request);
    const deadline = Date.now() + this.#settings.retry.budgetMs;
    const { maxRetries, initialDelayMs, maxDelayMs } = this.#settings.retry;
    const policy = retry(
      handleWhen(
        (error) =>
          error instanceof ProviderError &&
          countsAgainstBreaker(error.code) &&
          !request.signal?.aborted &&
          Date.now() < deadline,
      ),
      {
        maxAttempts: maxRetries,
        backoff: new DelegateBackoff<unknown, number | undefined>((_context, state) => {
          const [delay, next] = fullJitterGenerator(state, {
            generator: fullJitterGenerator,
            initialDelay: initialDelayMs,
            maxDelay: maxDelayMs,
            exponent: 2,
          });
          return { delay: Math.max(0, Math.min(delay, deadline - Date.now())), state: next };
        }),
      },
    );
    const listener = policy.onRetry((event) => {
      const code = 'error' in event && event.error instanceof ProviderError ? event.error.code : 'UNKNOWN';
      metrics.providerRetries.inc({ provider: this.provider, operation: request.operation, code });
    });
    try {
      return await policy.execute(() => this.#throughBreaker<T>(request));
    } finally {
      listener.dispose();
    }
  }

  async close(): Promise<void> {
    await this.#pool.close();
  }

  async #throughBreaker<T>(request: ProviderRequest): Promise<ProviderResponse<T>> {
    try {
      return await this.#breaker.execute(() => this.#attempt<T>(request));
    } catch (error) {
      if (!(error instanceof BrokenCircuitError)) throw error;
      const remaining = this.#openedAt + this.#settings.breaker.halfOpenAfterMs - Date.now();
      metrics.providerRequestDuration.observe(
        { provider: this.provider, operation: request.operation, status: 'circuit_open' },
        0,
      );
      throw this.#error(ConnectorErrorCode.circuitOpen, request, true, {
        message: `circuit breaker of ${this.provider} is open`,
        retryAfterMs: clamp(
          remaining,
          this.#settings.retryAfter.minMs,
          this.#settings.breaker.halfOpenAfterMs,
        ),
      });
    }
  }

  /**
   * Waits for a hold to end or for the call's slot at the paced rate when that is near; otherwise refuses
   * the call so the partition pauses instead of a handler sleeping for seconds.
   */
  async #admit(request: ProviderRequest): Promise<void> {
    const maxWaitMs = this.#options.rateLimit?.maxWaitMs ?? 1_000;
    for (
      let blocked = this.#blockedUntil - Date.now();
      blocked > 0;
      blocked = this.#blockedUntil - Date.now()
    ) {
      metrics.providerThrottled.inc({ provider: this.provider, reason: 'retry_after' });
      if (blocked > maxWaitMs) {
        throw this.#error(ConnectorErrorCode.providerRateLimited, request, true, {
          message: `${this.provider} asked to wait ${blocked} ms`,
          retryAfterMs: clamp(blocked, this.#settings.retryAfter.minMs, this.#settings.retryAfter.maxMs),
        });
      }
      await sleep(blocked, request.signal);
    }
    for (;;) {
      const slot = this.#limiter.reserve(maxWaitMs);
      this.#reportPacingRate();
      if (!slot || slot.waitMs === 0) return;
      const reason = slot.paced ? 'pacing' : 'token_bucket';
      metrics.providerThrottled.inc({ provider: this.provider, reason });
      if (!slot.reserved) {
        throw this.#error(ConnectorErrorCode.providerRateLimited, request, true, {
          message: `${this.provider} ${slot.paced ? 'pacing' : 'token bucket'} has no slot for ${slot.waitMs} ms`,
          retryAfterMs: clamp(slot.waitMs, this.#settings.retryAfter.minMs, this.#settings.retryAfter.maxMs),
        });
      }
      await sleep(slot.waitMs, request.signal);
      // A 429 lowered the rate while this call waited: its slot was spaced for the old rate.
      if (this.#limiter.generation === slot.generation) return;
    }
  }

  #reportPacingRate(): void {
    const rate = this.#limiter.rate;
    if (rate === this.#reportedRate) return;
    this.#reportedRate = rate;
    if (Number.isFinite(rate)) metrics.providerPacingRate.set({ provider: this.provider }, rate);
    else metrics.providerPacingRate.remove({ provider: this.provider });
  }

  async #attempt<T>(request: ProviderRequest): Promise<ProviderResponse<T>> {
    const sentAt = Date.now();
    const started = performance.now();
    const observe = (status: string) =>
      metrics.providerRequestDuration.observe(
        { provider: this.provider, operation: request.operation, status },
        (performance.now() - started) / 1000,
      );
    const timeout = AbortSignal.timeout(this.#settings.timeoutMs);
    const signal = request.signal ? AbortSignal.any([timeout, request.signal]) : timeout;
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...this.#options.defaultHeaders,
      ...request.headers,
    };
    if (request.idempotencyKey)
      headers[this.#options.idempotencyHeader ?? 'Idempotency-Key'] = request.idempotencyKey;
    let body: string | undefined;
    if (request.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(request.form).toString();
    } else if (request.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(request.json);
    }

    let status: number;
    let responseHeaders: HeaderBag;
    let parsed: unknown;
    try {
      const response = await this.#pool.request({
        method: request.method,
        path: this.#basePath + request.path,
        headers,
        body,
        signal,
      });
      status = response.statusCode;
      responseHeaders = response.headers as HeaderBag;
      const text = await response.body.text();
      parsed = parseBody(text, responseHeaders);
    } catch (error) {
      if (timeout.aborted && !request.signal?.aborted) {
        observe('timeout');
        throw this.#error(ConnectorErrorCode.providerTimeout, request, true, {
          message: `${request.operation} got no answer from ${this.provider} within ${this.#settings.timeoutMs} ms`,
          cause: error,
        });
      }
      observe('network_error');
      throw this.#error(ConnectorErrorCode.providerUnavailable, request, true, {
        message: `${request.operation} could not reach ${this.provider}: ${(error as Error).message}`,
        cause: error,
      });
    }
    observe(String(status));

    const remaining = rateLimitRemaining(
      responseHeaders,
      this.#options.remainingHeaders ?? DEFAULT_REMAINING_HEADERS,
    );
    if (remaining !== undefined)
      metrics.providerRateLimitRemaining.set({ provider: this.provider }, remaining);
    const resetMs = rateLimitResetMs(responseHeaders);
    if (status !== 429) {
      this.#limiter.recordAccepted();
      // The window is spent and the provider said when it resets: calls before that would only collect 429s.
      if (remaining === 0 && resetMs !== undefined && resetMs > 0)
        this.#blockedUntil = Math.max(
          this.#blockedUntil,
          Date.now() + Math.min(resetMs, this.#settings.retryAfter.maxMs),
        );
    }
    const windowMs = this.#windowMs(responseHeaders);
    if (windowMs !== undefined && status !== 429) {
      const windowRemaining = rateLimitRemaining(responseHeaders, [
        this.#options.rateLimitWindow!.remainingHeader,
      ]);
      // The window is spent: calls now would only collect 429s until it rolls over.
      if (windowRemaining === 0) this.#blockedUntil = Math.max(this.#blockedUntil, Date.now() + windowMs);
    }

    if (status >= 200 && status < 300) return { status, headers: responseHeaders, body: parsed as T };
    if (status === 429) {
      const wait = clamp(
        retryAfterMs(responseHeaders) ?? resetMs ?? windowMs ?? this.#settings.retryAfter.minMs,
        this.#settings.retryAfter.minMs,
        this.#settings.retryAfter.maxMs,
      );
      // Later calls go at a lower rate rather than stopping: the provider's bucket refills while they wait
      // for their slots, so its capacity keeps being used instead of a burst after each blanket pause.
      this.#limiter.recordRefused(sentAt);
      this.#reportPacingRate();
      // A long wait (or any, without pacing) is what the provider wants from every call, not only this one.
      if (this.#limiter.holdsAll(wait)) this.#blockedUntil = Math.max(this.#blockedUntil, Date.now() + wait);
      metrics.providerThrottled.inc({ provider: this.provider, reason: 'status_429' });
      throw this.#error(ConnectorErrorCode.providerRateLimited, request, true, {
        message: `${this.provider} answered 429 to ${request.operation}`,
        status,
        body: parsed,
        retryAfterMs: wait,
      });
    }
    const permanent = this.#options.nonRetriableStatuses?.includes(status) ?? false;
    if (!permanent && (status >= 500 || RETRIABLE_STATUSES.has(status))) {
      throw this.#error(ConnectorErrorCode.providerUnavailable, request, true, {
        message: `${this.provider} answered ${status} to ${request.operation}`,
        status,
        body: parsed,
      });
    }
    throw this.#error(ConnectorErrorCode.providerRejected, request, false, {
      message: `${this.provider} rejected ${request.operation} with ${status}`,
      status,
      body: parsed,
    });
  }

  /** The provider's window length from its headers, clamped like a Retry-After. */
  #windowMs(headers: HeaderBag): number | undefined {
    const window = this.#options.rateLimitWindow;
    if (!window) return undefined;
    const raw = Number(header(headers, window.intervalMsHeader));
    if (!Number.isFinite(raw) || raw <= 0) return undefined;
    return clamp(raw, this.#settings.retryAfter.minMs, this.#settings.retryAfter.maxMs);
  }

  #error(
    code: ConnectorErrorCode,
    request: ProviderRequest,
    retriable: boolean,
    details: { message: string; status?: number; body?: unknown; retryAfterMs?: number; cause?: unknown },
  ): ProviderError {
    const { message, ...rest } = details;
    return new ProviderError(code, message, {
      provider: this.provider,
      operation: request.operation,
      retriable,
      ...rest,
    });
  }

  #setBreakerState(state: CircuitState): void {
    const current = breakerLabel(state);
    for (const label of breakerStates) {
      metrics.circuitBreakerState.set({ name: this.provider, state: label }, label === current ? 1 : 0);
    }
  }
}

function countsAgainstBreaker(code: string): boolean {
  return code === ConnectorErrorCode.providerTimeout || code === ConnectorErrorCode.providerUnavailable;
}

function breakerLabel(state: CircuitState): 'closed' | 'open' | 'half_open' {
  if (state === CircuitState.HalfOpen) return 'half_open';
  if (state === CircuitState.Closed) return 'closed';
  return 'open';
}

function parseBody(text: string, headers: HeaderBag): unknown {
  const type = String(headers['content-type'] ?? '');
  if (text && type.includes('json')) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason as Error);
      },
      { once: true },
    );
  });
}
