import { ConnectorErrorCode } from '../errors.js';
import type { AdaptivePacingOptions } from './adaptive-pacer.js';
import { systemClock } from './clock.js';
import type { Clock } from './clock.js';
import { ProviderAdmission } from './provider-admission.js';
import { providerError } from './provider-request.js';
import type { ProviderRequest, ProviderResponse } from './provider-request.js';
import { ProviderResilience } from './provider-resilience.js';
import { ProviderTransport } from './provider-transport.js';
import { checkEffect } from '../late-replay.js';
import { priorityOf } from './request-priority.js';

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
   * Header names that report the window's whole quota (with the remaining count: the share used). Default
   * `RateLimit-Limit`, `X-RateLimit-Limit`, `X-HubSpot-RateLimit-Max`; a provider whose remaining count has
   * its own name names its limit here too.
   */
  limitHeaders?: readonly string[];
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
  /**
   * Share (0..1) of the token bucket's burst that low-priority calls (`priority: 'low'`, reconciliation
   * reads) leave to normal ones: a low call goes only while that much remains after its token, else it is
   * refused at once with `retryAfterMs` until it would. Default 0.5 (DEFAULT_LOW_PRIORITY_RESERVE says why).
   */
  lowPriorityReserve?: number;
  /**
   * How long low-priority calls may be refused in a row (the reserve, an operation's limit) before the next
   * one goes as a normal call, waiting for its slot: a walk advances, by about one call in that time, even
   * while live traffic spends the whole budget. Never past a hold the provider asked for. Default 5 000.
   */
  lowPriorityMaxStarvationMs?: number;
  /**
   * Limits of single operations (the request's `operation` label) on top of the provider's: HubSpot allows
   * five searches a second per token whatever the rest of the account does. A token bucket each; a normal
   * call waits for its slot up to `rateLimit.maxWaitMs` and is refused beyond, a low-priority one goes only
   * when a token is there. Burst default: one second's worth; at most `burst + requestsPerSecond` go in any
   * second.
   */
  operationLimits?: Readonly<Record<string, { requestsPerSecond: number; burst?: number }>>;
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
  /**
   * Time for holds, paced slots, the retry budget and backoff; default the system clock. The per-attempt
   * timeout stays on the system clock since it bounds real I/O, and so does the breaker's half-open delay,
   * which cockatiel times itself.
   */
  clock?: Clock;
  /**
   * Fed every answer's status and parsed body under the request's operation (docs/architecture.md#provider-shapes),
   * after the attempt and before it is judged, so error answers count too. Absent: nothing is sampled.
   */
  shapes?: { observe(provider: string, endpoint: string, status: number | null, body: unknown): void };
}

const DEFAULTS = {
  timeoutMs: 10_000,
  retry: { maxRetries: 3, initialDelayMs: 100, maxDelayMs: 2_000, budgetMs: 8_000 },
  breaker: { consecutiveFailures: 5, halfOpenAfterMs: 10_000 },
  retryAfter: { minMs: 1_000, maxMs: 300_000 },
  connections: 10,
};

/**
 * The HTTP client every connector talks to its provider through
 * (docs/architecture.md#retries-and-dead-letters). Per call, in order: 1. Effectful calls must carry an
 * idempotency key, sent in the provider's header. 2. Admission (`ProviderAdmission`): a hold the provider
 * asked for, or the token bucket at the paced rate, makes the call wait briefly or refuses it with a
 * retriable `PROVIDER_RATE_LIMITED`. 3. Resilience (`ProviderResilience`): attempts run through the
 * provider's circuit breaker and are retried with full-jitter backoff inside a time budget, with the same
 * key. 4. Transport (`ProviderTransport`): each attempt is sent with a timeout and its answer read; the
 * answer teaches admission about the provider's limits and is classified into a response or a
 * `ProviderError`.
 */
export class ProviderHttpClient {
  readonly provider: string;
  readonly #clock: Clock;
  readonly #transport: ProviderTransport;
  readonly #admission: ProviderAdmission;
  readonly #resilience: ProviderResilience;
  readonly #shapes: ProviderHttpClientOptions['shapes'];

  constructor(options: ProviderHttpClientOptions) {
    this.provider = options.provider;
    this.#clock = options.clock ?? systemClock;
    this.#shapes = options.shapes;
    const retryAfter = { ...DEFAULTS.retryAfter, ...options.retryAfter };
    this.#transport = new ProviderTransport({
      provider: options.provider,
      baseUrl: options.baseUrl,
      connections: options.connections ?? DEFAULTS.connections,
      timeoutMs: options.timeoutMs ?? DEFAULTS.timeoutMs,
      defaultHeaders: options.defaultHeaders,
      idempotencyHeader: options.idempotencyHeader ?? 'Idempotency-Key',
    });
    this.#admission = new ProviderAdmission({
      provider: options.provider,
      clock: this.#clock,
      rateLimit: options.rateLimit,
      adaptivePacing: options.adaptivePacing,
      retryAfter,
      remainingHeaders: options.remainingHeaders,
      ...(options.limitHeaders ? { limitHeaders: options.limitHeaders } : {}),
      rateLimitWindow: options.rateLimitWindow,
      ...(options.operationLimits ? { operationLimits: options.operationLimits } : {}),
      ...(options.lowPriorityMaxStarvationMs === undefined
        ? {}
        : { lowPriorityMaxStarvationMs: options.lowPriorityMaxStarvationMs }),
      ...(options.lowPriorityReserve === undefined
        ? {}
        : { lowPriorityReserve: checkedReserve(options.lowPriorityReserve) }),
    });
    this.#resilience = new ProviderResilience({
      provider: options.provider,
      clock: this.#clock,
      retry: { ...DEFAULTS.retry, ...options.retry },
      breaker: { ...DEFAULTS.breaker, ...options.breaker },
      minRetryAfterMs: retryAfter.minMs,
      nonRetriableStatuses: options.nonRetriableStatuses,
    });
  }

  /** Requests per second calls are paced to now; `Infinity` when nothing limits them. */
  get pacingRate(): number {
    return this.#admission.pacingRate;
  }

  /** This replica's share of the provider's quota (0 < share ≤ 1); 1 unless `setQuotaShare` said otherwise. */
  get quotaShare(): number {
    return this.#admission.share;
  }

  /**
   * Paces calls to `share` of the provider's quota from now on: the configured rate limit and burst, and a
   * rate learned from 429s, scale with it (docs/architecture.md#connectors). The connector runtime sets it
   * from the partitions Kafka assigns this replica (`quotaShareOf`), on every rebalance. Rate-limit headers
   * report the provider's whole budget and are obeyed as they are; the circuit breaker stays per replica.
   */
  setQuotaShare(share: number): void {
    this.#admission.setShare(share);
  }

  /** Breaker state for health and tests. */
  get circuitState(): 'closed' | 'open' | 'half_open' {
    return this.#resilience.circuitState;
  }

  /**
   * One call, admitted by its priority (`request.priority`, else the ambient one of `withRequestPriority`,
   * else normal).
   */
  async request<T = unknown>(call: ProviderRequest): Promise<ProviderResponse<T>> {
    if (call.method !== 'GET' && !call.readOnly && !call.idempotencyKey) {
      throw providerError(this.provider, ConnectorErrorCode.idempotencyKeyMissing, call, false, {
        message: `${call.method} ${call.operation} without an idempotency key`,
      });
    }
    // A late replay's effect goes only after the handler looked it up (late-replay.ts).
    if (call.method !== 'GET' && !call.readOnly) checkEffect(call);
    const request = { ...call, priority: priorityOf(call) };
    await this.#admission.admit(request);
    return this.#resilience.run(request, () => this.#attempt<T>(request));
  }

  async close(): Promise<void> {
    await this.#transport.close();
  }

  async #attempt<T>(request: ProviderRequest): Promise<ProviderResponse<T>> {
    const sentAt = this.#clock.now();
    const answer = await this.#transport.send(request);
    this.#shapes?.observe(this.provider, request.operation, answer.status, answer.body);
    const retryAfterMs = this.#admission.observe(answer, sentAt);
    return this.#resilience.settle<T>(answer, request, retryAfterMs);
  }
}

function checkedReserve(share: number): number {
  if (!(share >= 0 && share <= 1))
    throw new RangeError(`lowPriorityReserve must be within 0..1, got ${share}`);
  return share;
}
