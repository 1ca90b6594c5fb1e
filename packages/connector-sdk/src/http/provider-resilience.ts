import { BrokenCircuitError, CircuitState, ConsecutiveBreaker, circuitBreaker, handleWhen } from 'cockatiel';
import type { CircuitBreakerPolicy } from 'cockatiel';
import { metrics } from '@tributary/observability';
import { ConnectorErrorCode, ProviderError } from '../errors.js';
import type { Clock } from './clock.js';
import { providerError } from './provider-request.js';
import type { ProviderRequest, ProviderResponse } from './provider-request.js';
import { clamp } from './rate-limit-headers.js';

export interface ProviderResilienceOptions {
  readonly provider: string;
  /** Times the retry budget and the backoff between attempts. */
  readonly clock: Clock;
  readonly retry: {
    readonly maxRetries: number;
    readonly initialDelayMs: number;
    readonly maxDelayMs: number;
    readonly budgetMs: number;
  };
  readonly breaker: { readonly consecutiveFailures: number; readonly halfOpenAfterMs: number };
  /** The shortest pause asked of a refused call's partition. */
  readonly minRetryAfterMs: number;
  readonly nonRetriableStatuses?: readonly number[];
}

const RETRIABLE_STATUSES = new Set([408, 409, 425]);
const breakerStates = ['closed', 'open', 'half_open'] as const;

/**
 * What a call does about failures. Attempts run through the provider's circuit breaker; timeouts, connection
 * errors and 5xx are retried with full-jitter backoff inside a time budget (the caller keeps the idempotency
 * key, so a retry is safe). Answers are classified: 429 → `PROVIDER_RATE_LIMITED`, never retried here; other
 * 4xx → `PROVIDER_REJECTED`, not retriable; an open breaker → `PROVIDER_CIRCUIT_OPEN` until the half-open
 * probe.
 */
export class ProviderResilience {
  readonly #options: ProviderResilienceOptions;
  readonly #breaker: CircuitBreakerPolicy;
  #openedAt = 0;

  constructor(options: ProviderResilienceOptions) {
    this.#options = options;
    // Only signs of an unhealthy provider count: a 4xx is our request's fault, a 429 is load we pause for.
    this.#breaker = circuitBreaker(
      handleWhen((error) => error instanceof ProviderError && countsAgainstBreaker(error.code)),
      {
        halfOpenAfter: options.breaker.halfOpenAfterMs,
        breaker: new ConsecutiveBreaker(options.breaker.consecutiveFailures),
      },
    );
    this.#setBreakerState(CircuitState.Closed);
    this.#breaker.onStateChange((state) => this.#setBreakerState(state));
    // cockatiel times the half-open delay on the system clock, so the time left is measured on it too.
    this.#breaker.onBreak(() => {
      this.#openedAt = Date.now();
    });
  }

  /** Breaker state for health and tests. */
  get circuitState(): 'closed' | 'open' | 'half_open' {
    return breakerLabel(this.#breaker.state);
  }

  /**
   * Runs `attempt` through the breaker, again after a retriable failure while the budget lasts. A
   * low-priority call is attempted once: a retry would spend the provider's budget without admission, after a
   * backoff a low call does not wait for; its caller asks again later (a reconciliation page is read again).
   */
  async run<T>(request: ProviderRequest, attempt: () => Promise<T>): Promise<T> {
    const { clock, provider } = this.#options;
    const { initialDelayMs, maxDelayMs, budgetMs } = this.#options.retry;
    const maxRetries = request.priority === 'low' ? 0 : this.#options.retry.maxRetries;
    const deadline = clock.now() + budgetMs;
    for (let retries = 0; ; retries++) {
      try {
        return await this.#throughBreaker(request, attempt);
      } catch (error) {
        const retriable =
          error instanceof ProviderError &&
          countsAgainstBreaker(error.code) &&
          !request.signal?.aborted &&
          clock.now() < deadline;
        if (!retriable || retries >= maxRetries) throw error;
        // Full jitter: retries of many handlers after one outage spread out instead of arriving together.
        const ceiling = Math.min(maxDelayMs, initialDelayMs * 2 ** retries);
        const delay = Math.floor(Math.random() * ceiling);
        metrics.providerRetries.inc({ provider, operation: request.operation, code: error.code });
        // An abort during the backoff ends the retries at the next attempt, which fails at once on it.
        await clock.sleep(Math.max(0, Math.min(delay, deadline - clock.now())));
      }
    }
  }

  /**
   * The answer as the caller's response when it is a 2xx; otherwise the failure it means. `retryAfterMs`
   * is the wait a 429 asked for.
   */
  settle<T>(answer: ProviderResponse, request: ProviderRequest, retryAfterMs?: number): ProviderResponse<T> {
    const { provider } = this.#options;
    const { status, body } = answer;
    if (status >= 200 && status < 300) return { status, headers: answer.headers, body: body as T };
    if (status === 429) {
      throw providerError(provider, ConnectorErrorCode.providerRateLimited, request, true, {
        message: `${provider} answered 429 to ${request.operation}`,
        status,
        body,
        retryAfterMs,
      });
    }
    const permanent = this.#options.nonRetriableStatuses?.includes(status) ?? false;
    if (!permanent && (status >= 500 || RETRIABLE_STATUSES.has(status))) {
      throw providerError(provider, ConnectorErrorCode.providerUnavailable, request, true, {
        message: `${provider} answered ${status} to ${request.operation}`,
        status,
        body,
      });
    }
    throw providerError(provider, ConnectorErrorCode.providerRejected, request, false, {
      message: `${provider} rejected ${request.operation} with ${status}`,
      status,
      body,
    });
  }

  async #throughBreaker<T>(request: ProviderRequest, attempt: () => Promise<T>): Promise<T> {
    try {
      return await this.#breaker.execute(attempt);
    } catch (error) {
      if (!(error instanceof BrokenCircuitError)) throw error;
      const { provider, breaker } = this.#options;
      const remaining = this.#openedAt + breaker.halfOpenAfterMs - Date.now();
      metrics.providerRequestDuration.observe(
        { provider, operation: request.operation, status: 'circuit_open' },
        0,
      );
      throw providerError(provider, ConnectorErrorCode.circuitOpen, request, true, {
        message: `circuit breaker of ${provider} is open`,
        retryAfterMs: clamp(remaining, this.#options.minRetryAfterMs, breaker.halfOpenAfterMs),
      });
    }
  }

  #setBreakerState(state: CircuitState): void {
    const current = breakerLabel(state);
    for (const label of breakerStates) {
      metrics.circuitBreakerState.set(
        { name: this.#options.provider, state: label },
        label === current ? 1 : 0,
      );
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
