import { metrics } from '@tributary/observability';
import { TokenBucket } from '@tributary/service-kit';
import { ConnectorErrorCode } from '../errors.js';
import type { AdaptivePacingOptions } from './adaptive-pacer.js';
import type { Clock } from './clock.js';
import { PacedLimiter } from './paced-limiter.js';
import { providerError } from './provider-request.js';
import type { ProviderRequest, ProviderResponse } from './provider-request.js';
import { priorityOf } from './request-priority.js';
import {
  DEFAULT_LIMIT_HEADERS,
  DEFAULT_REMAINING_HEADERS,
  clamp,
  header,
  rateLimitLimit,
  rateLimitRemaining,
  rateLimitResetMs,
  retryAfterMs,
} from './rate-limit-headers.js';
import type { HeaderBag } from './rate-limit-headers.js';

export interface ProviderAdmissionOptions {
  readonly provider: string;
  readonly clock: Clock;
  readonly rateLimit?: { requestsPerSecond: number; burst?: number; maxWaitMs?: number };
  readonly adaptivePacing?: AdaptivePacingOptions | false;
  /** Bounds of every wait the provider asks for. */
  readonly retryAfter: { readonly minMs: number; readonly maxMs: number };
  readonly remainingHeaders?: readonly string[];
  /** Header names that report the window's whole quota; default DEFAULT_LIMIT_HEADERS. */
  readonly limitHeaders?: readonly string[];
  readonly rateLimitWindow?: { remainingHeader: string; intervalMsHeader: string };
  /** Share of the token bucket's burst that low-priority calls leave to normal ones. Default 0.5. */
  readonly lowPriorityReserve?: number;
  /**
   * How long low-priority calls may be refused in a row for the reserve or an operation's limit before the
   * next one goes as a normal call. Default 5 s (DEFAULT_LOW_PRIORITY_MAX_STARVATION_MS says why).
   */
  readonly lowPriorityMaxStarvationMs?: number;
  /** Limits of single operations on top of the provider's (HubSpot's search: a few per second). */
  readonly operationLimits?: Readonly<Record<string, { requestsPerSecond: number; burst?: number }>>;
}

/**
 * Half the burst: normal traffic arriving while a reconciliation walk runs finds half a burst ready, and the
 * walk still gets every token normal traffic leaves unspent (the bucket hovers at the reserve while both
 * run, and low calls stop as soon as normal calls take it below). A full bucket would refuse a walk after
 * any normal call until the bucket refilled completely, failing pages for nothing; none would let a walk
 * empty the bucket and make the next event wait for its slot.
 */
export const DEFAULT_LOW_PRIORITY_RESERVE = 0.5;

/**
 * Live traffic that spends the whole budget (a backlog draining, a busy hour) would otherwise hold a walk
 * back for as long as it lasts, and drift would go unseen all that time. After 5 s of refusals one low call
 * goes as a normal one: at most one call in every few seconds taken from live traffic, and the walk advances.
 */
export const DEFAULT_LOW_PRIORITY_MAX_STARVATION_MS = 5_000;

/**
 * When a call may go to the provider, and what its answers teach about that. A hold the provider asked for
 * (a long Retry-After, a spent window) or the token bucket at the paced rate makes a call wait when the wait
 * is short (`rateLimit.maxWaitMs`), and otherwise refuses it with a retriable `PROVIDER_RATE_LIMITED`
 * carrying `retryAfterMs`, so the consumer pauses the partition instead of a handler sleeping for seconds.
 */
export class ProviderAdmission {
  readonly #options: ProviderAdmissionOptions;
  /** The configured token bucket, at the lower rate the provider's 429s taught while they hold it down. */
  readonly #limiter: PacedLimiter;
  #reportedRate: number | undefined;
  #blockedUntil = 0;
  /** Since when low-priority calls have been refused without one going; undefined when the last one went. */
  #lowRefusedSince: number | undefined;
  readonly #operationBuckets = new Map<string, TokenBucket>();

  constructor(options: ProviderAdmissionOptions) {
    this.#options = options;
    this.#limiter = new PacedLimiter({
      rateLimit: options.rateLimit,
      adaptivePacing: options.adaptivePacing,
      now: () => options.clock.now(),
    });
    this.#reportPacingRate();
    metrics.providerRateLimitShare.set({ provider: options.provider }, this.#limiter.share);
  }

  /** Requests per second calls are paced to now; `Infinity` when nothing limits them. */
  get pacingRate(): number {
    return this.#limiter.rate;
  }

  /** This replica's share of the provider's quota; 1 until `setShare`. */
  get share(): number {
    return this.#limiter.share;
  }

  /**
   * Paces to `share` of the provider's quota (`PacedLimiter.setShare`). Holds the provider asked for
   * (Retry-After, a spent window) are about its whole budget and stay as they are.
   */
  setShare(share: number): void {
    this.#limiter.setShare(share);
    metrics.providerRateLimitShare.set({ provider: this.#options.provider }, share);
    this.#reportPacingRate();
  }

  /**
   * Waits for a hold to end or for the call's slot at the paced rate when that is near; otherwise refuses
   * the call so the partition pauses instead of a handler sleeping for seconds. A low-priority call never
   * waits: it goes only while the bucket keeps its reserve for normal calls (`#admitLow`).
   */
  async admit(request: ProviderRequest): Promise<void> {
    if (priorityOf(request) === 'low') return this.#admitLow(request);
    return this.#admitNormal(request);
  }

  async #admitNormal(request: ProviderRequest): Promise<void> {
    const { provider, retryAfter, clock } = this.#options;
    const maxWaitMs = this.#options.rateLimit?.maxWaitMs ?? 1_000;
    for (
      let blocked = this.#blockedUntil - clock.now();
      blocked > 0;
      blocked = this.#blockedUntil - clock.now()
    ) {
      metrics.providerThrottled.inc({ provider, reason: 'retry_after' });
      if (blocked > maxWaitMs) {
        throw providerError(provider, ConnectorErrorCode.providerRateLimited, request, true, {
          message: `${provider} asked to wait ${blocked} ms`,
          retryAfterMs: clamp(blocked, retryAfter.minMs, retryAfter.maxMs),
        });
      }
      await clock.sleep(blocked, request.signal);
    }
    const operation = this.#operationBucket(request.operation);
    if (operation) {
      const { waitMs, reserved } = operation.reserve(maxWaitMs);
      if (!reserved) {
        metrics.providerThrottled.inc({ provider, reason: 'token_bucket' });
        throw providerError(provider, ConnectorErrorCode.providerRateLimited, request, true, {
          message: `${provider} ${request.operation} limit has no slot for ${waitMs} ms`,
          retryAfterMs: clamp(waitMs, retryAfter.minMs, retryAfter.maxMs),
        });
      }
      if (waitMs > 0) {
        metrics.providerThrottled.inc({ provider, reason: 'token_bucket' });
        await clock.sleep(waitMs, request.signal);
      }
    }
    for (;;) {
      const slot = this.#limiter.reserve(maxWaitMs);
      this.#reportPacingRate();
      if (!slot || slot.waitMs === 0) return;
      const reason = slot.paced ? 'pacing' : 'token_bucket';
      metrics.providerThrottled.inc({ provider, reason });
      if (!slot.reserved) {
        throw providerError(provider, ConnectorErrorCode.providerRateLimited, request, true, {
          message: `${provider} ${slot.paced ? 'pacing' : 'token bucket'} has no slot for ${slot.waitMs} ms`,
          retryAfterMs: clamp(slot.waitMs, retryAfter.minMs, retryAfter.maxMs),
        });
      }
      await clock.sleep(slot.waitMs, request.signal);
      // A 429 lowered the rate while this call waited: its slot was spaced for the old rate.
      if (this.#limiter.generation === slot.generation) return;
    }
  }

  /**
   * Admits a low-priority call at once or refuses it at once with a retriable `PROVIDER_RATE_LIMITED`
   * carrying how long until it could go: while the provider holds calls, or while the token bucket holds
   * less than the reserve kept for normal calls plus this call's token. Not counted as throttled: the
   * provider's limit held nothing back that normal traffic wanted, and alerts on throttling stay quiet
   * during a reconciliation walk. Without any limit (no configured bucket and no 429 yet), it goes. After
   * `lowPriorityMaxStarvationMs` of such refusals in a row, the next call goes as a normal one instead.
   */
  async #admitLow(request: ProviderRequest): Promise<void> {
    const { provider, clock } = this.#options;
    const blocked = this.#blockedUntil - clock.now();
    if (blocked > 0) {
      // What the provider asked for holds every call; it is no reason to take live traffic's budget.
      throw providerError(provider, ConnectorErrorCode.providerRateLimited, request, true, {
        message: `${provider} asked to wait ${blocked} ms; a low-priority call does not wait`,
        retryAfterMs: blocked,
      });
    }
    const refusedSince = this.#lowRefusedSince;
    const starvation = this.#options.lowPriorityMaxStarvationMs ?? DEFAULT_LOW_PRIORITY_MAX_STARVATION_MS;
    if (refusedSince !== undefined && clock.now() - refusedSince >= starvation) {
      await this.#admitNormal(request);
      this.#lowRefusedSince = undefined;
      return;
    }
    try {
      this.#admitLowAboveReserve(request);
      this.#lowRefusedSince = undefined;
    } catch (error) {
      this.#lowRefusedSince ??= clock.now();
      throw error;
    }
  }

  #admitLowAboveReserve(request: ProviderRequest): void {
    const { provider } = this.#options;
    // The operation's own limit only needs a token now: it is not shared with normal traffic's budget.
    const operation = this.#operationBucket(request.operation);
    const operationWaitMs = operation?.msUntil(1) ?? 0;
    if (operationWaitMs > 0) {
      throw providerError(provider, ConnectorErrorCode.providerRateLimited, request, true, {
        message: `${provider} ${request.operation} limit has no slot for ${operationWaitMs} ms; a low-priority call does not wait`,
        retryAfterMs: operationWaitMs,
      });
    }
    const waitMs = this.#limiter.takeAboveReserve(
      this.#options.lowPriorityReserve ?? DEFAULT_LOW_PRIORITY_RESERVE,
    );
    this.#reportPacingRate();
    if (waitMs > 0) {
      throw providerError(provider, ConnectorErrorCode.providerRateLimited, request, true, {
        message: `${provider} budget is at its reserve for normal calls; a low-priority call may go in ${waitMs} ms`,
        retryAfterMs: waitMs,
      });
    }
    operation?.take(1);
  }

  /** The bucket of an operation with a limit of its own, made on its first call. */
  #operationBucket(operation: string): TokenBucket | undefined {
    const limit = this.#options.operationLimits?.[operation];
    if (!limit) return undefined;
    let bucket = this.#operationBuckets.get(operation);
    if (!bucket) {
      bucket = new TokenBucket({
        ratePerSecond: limit.requestsPerSecond,
        ...(limit.burst === undefined ? {} : { burst: limit.burst }),
        now: () => this.#options.clock.now(),
      });
      this.#operationBuckets.set(operation, bucket);
    }
    return bucket;
  }

  /**
   * Learns from the provider's answer to a call sent at `sentAt`: its rate-limit headers, and for a 429 the
   * wait it asks for (Retry-After, else the reset or window, clamped), which is returned. A 429 lowers the
   * pacing rate; a long wait holds every call.
   */
  observe(answer: ProviderResponse, sentAt: number): number | undefined {
    const { provider, retryAfter } = this.#options;
    const now = this.#options.clock.now();
    const { status, headers } = answer;
    const remaining = rateLimitRemaining(
      headers,
      this.#options.remainingHeaders ?? DEFAULT_REMAINING_HEADERS,
    );
    if (remaining !== undefined) metrics.providerRateLimitRemaining.set({ provider }, remaining);
    // From the same response as the remaining count: together, the share of the quota used (alert
    // TributaryProviderRateLimitHeadroomLow).
    const limit = rateLimitLimit(headers, this.#options.limitHeaders ?? DEFAULT_LIMIT_HEADERS);
    if (limit !== undefined) metrics.providerRateLimitLimit.set({ provider }, limit);
    const resetMs = rateLimitResetMs(headers, now);
    if (status !== 429) {
      this.#limiter.recordAccepted();
      // The window is spent and the provider said when it resets: calls before that would only collect 429s.
      if (remaining === 0 && resetMs !== undefined && resetMs > 0)
        this.#holdFor(Math.min(resetMs, retryAfter.maxMs));
    }
    const windowMs = this.#windowMs(headers);
    if (windowMs !== undefined && status !== 429) {
      const windowRemaining = rateLimitRemaining(headers, [this.#options.rateLimitWindow!.remainingHeader]);
      // The window is spent: calls now would only collect 429s until it rolls over.
      if (windowRemaining === 0) this.#holdFor(windowMs);
    }
    if (status !== 429) return undefined;

    const wait = clamp(
      retryAfterMs(headers, now) ?? resetMs ?? windowMs ?? retryAfter.minMs,
      retryAfter.minMs,
      retryAfter.maxMs,
    );
    // Later calls go at a lower rate rather than stopping: the provider's bucket refills while they wait
    // for their slots, so its capacity keeps being used instead of a burst after each blanket pause.
    this.#limiter.recordRefused(sentAt);
    this.#reportPacingRate();
    // A long wait (or any, without pacing) is what the provider wants from every call, not only this one.
    if (this.#limiter.holdsAll(wait)) this.#holdFor(wait);
    metrics.providerThrottled.inc({ provider, reason: 'status_429' });
    return wait;
  }

  #holdFor(ms: number): void {
    this.#blockedUntil = Math.max(this.#blockedUntil, this.#options.clock.now() + ms);
  }

  /** The provider's window length from its headers, clamped like a Retry-After. */
  #windowMs(headers: HeaderBag): number | undefined {
    const window = this.#options.rateLimitWindow;
    if (!window) return undefined;
    const raw = Number(header(headers, window.intervalMsHeader));
    if (!Number.isFinite(raw) || raw <= 0) return undefined;
    return clamp(raw, this.#options.retryAfter.minMs, this.#options.retryAfter.maxMs);
  }

  #reportPacingRate(): void {
    const rate = this.#limiter.rate;
    if (rate === this.#reportedRate) return;
    this.#reportedRate = rate;
    const label = { provider: this.#options.provider };
    if (Number.isFinite(rate)) metrics.providerPacingRate.set(label, rate);
    else metrics.providerPacingRate.remove(label);
  }
}
