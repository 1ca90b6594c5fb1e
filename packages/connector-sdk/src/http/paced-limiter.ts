import { AdaptivePacer } from './adaptive-pacer.js';
import type { AdaptivePacingOptions } from './adaptive-pacer.js';
import { TokenBucket } from '@tributary/service-kit';

/** While paced below the configured limit, saved-up slots cover this much time: no bursts into an empty provider bucket. */
const PACED_BURST_SECONDS = 0.1;

export interface Slot {
  /** 0: go now. */
  readonly waitMs: number;
  /** False when the slot is further away than the caller would wait: nothing was reserved. */
  readonly reserved: boolean;
  /** True when the adapted rate, not the configured limit, made the caller wait. */
  readonly paced: boolean;
  /** The pacer's generation when the slot was reserved: a different one later means the rate dropped. */
  readonly generation: number;
}

/**
 * The client-side limit of one provider client: the configured token bucket (`rateLimit`), with its rate
 * replaced by the adaptive pacer's while 429s hold it lower. Clock-injectable and free of I/O, so the whole
 * loop (client, pacer, a provider's bucket) runs in unit tests on a fake clock.
 */
export class PacedLimiter {
  /** The configured limit as a whole: the provider's quota for every replica together. */
  readonly #whole: { rate: number; burst: number } | undefined;
  /** This replica's part of it (`rateLimit` × share), what its bucket holds to. */
  #configured: { rate: number; burst: number } | undefined;
  #share = 1;
  readonly #pacer: AdaptivePacer | undefined;
  readonly #now: () => number;
  #bucket: TokenBucket | undefined;

  constructor(options: {
    rateLimit?: { requestsPerSecond: number; burst?: number };
    adaptivePacing?: AdaptivePacingOptions | false;
    now?: () => number;
  }) {
    this.#now = options.now ?? Date.now;
    const limit = options.rateLimit;
    this.#whole = limit
      ? {
          rate: limit.requestsPerSecond,
          burst: Math.max(1, limit.burst ?? Math.ceil(limit.requestsPerSecond)),
        }
      : undefined;
    this.#configured = this.#whole;
    this.#bucket = this.#configured
      ? new TokenBucket({
          ratePerSecond: this.#configured.rate,
          burst: this.#configured.burst,
          now: this.#now,
        })
      : undefined;
    this.#pacer =
      options.adaptivePacing === false
        ? undefined
        : new AdaptivePacer({ ...options.adaptivePacing, ceiling: limit?.requestsPerSecond, now: this.#now });
  }

  /** This replica's share of the provider's quota (0 < share ≤ 1); 1 until `setShare`. */
  get share(): number {
    return this.#share;
  }

  /**
   * Paces to `share` of the quota from now on (docs/architecture.md#connectors: a replica's share follows
   * its partitions). The configured rate scales with it, and so does the burst, rounded down so the
   * replicas' bursts together stay within the quota's (at least 1 each); a rate learned from 429s scales
   * by new / old share (`AdaptivePacer.rescale`). Tokens saved are kept up to the new burst.
   */
  setShare(share: number): void {
    if (!(share > 0 && share <= 1)) throw new RangeError(`a quota share is within (0, 1], got ${share}`);
    if (share === this.#share) return;
    const factor = share / this.#share;
    this.#share = share;
    const whole = this.#whole;
    this.#configured = whole
      ? { rate: whole.rate * share, burst: Math.max(1, Math.floor(whole.burst * share)) }
      : undefined;
    this.#pacer?.rescale(factor, this.#configured?.rate ?? Number.POSITIVE_INFINITY);
    // With pacing the bucket follows the pacer's rate at the next call (#currentBucket); without, it is this.
    if (!this.#pacer && this.#configured)
      this.#bucket?.configure(this.#configured.rate, this.#configured.burst);
  }

  /** Requests per second calls are paced to now; `Infinity` when nothing limits them. */
  get rate(): number {
    return this.#pacer?.rate ?? this.#configured?.rate ?? Number.POSITIVE_INFINITY;
  }

  /** True while a 429 holds the rate below the configured limit. */
  get adapted(): boolean {
    return this.#pacer?.adapted ?? false;
  }

  get generation(): number {
    return this.#pacer?.generation ?? 0;
  }

  /**
   * Whether a 429 with this Retry-After should hold every call rather than only the refused one: always
   * without pacing, else only a wait longer than `holdAllAboveMs`.
   */
  holdsAll(waitMs: number): boolean {
    return !this.#pacer || waitMs > this.#pacer.holdAllAboveMs;
  }

  /** The caller's slot, or undefined when nothing limits calls. */
  reserve(maxWaitMs: number): Slot | undefined {
    const bucket = this.#currentBucket();
    if (!bucket) return undefined;
    const generation = this.generation;
    const { waitMs, reserved } = bucket.reserve(maxWaitMs);
    if (waitMs > 0 && reserved) this.#pacer?.recordHeld();
    return { waitMs, reserved, paced: this.adapted, generation };
  }

  /**
   * A low-priority call's token, taken only when the bucket keeps `reserveShare` of its burst for normal
   * calls after it (a full bucket when the burst is too small for that): 0 when taken, else the milliseconds
   * until that much is there. Normal calls' reservations are owed tokens, so a queue of them pushes this out.
   * Never waits and never reserves: the caller is refused instead.
   */
  takeAboveReserve(reserveShare: number): number {
    const bucket = this.#currentBucket();
    if (!bucket) return 0;
    const needed = Math.min(bucket.burst, bucket.burst * reserveShare + 1);
    const waitMs = bucket.msUntil(needed);
    if (waitMs > 0) return waitMs;
    bucket.take(1);
    return 0;
  }

  /** The provider accepted a call (any answer but 429). */
  recordAccepted(): void {
    this.#pacer?.recordAccepted();
  }

  /** The provider answered 429 to a call sent at `sentAt`; true when the rate was lowered. */
  recordRefused(sentAt: number): boolean {
    if (!this.#pacer?.recordRefused(sentAt)) return false;
    // The provider has nothing saved up now; neither have we, and slots reserved at the old rate are void.
    this.#currentBucket()?.empty();
    return true;
  }

  /** The bucket at the rate calls are paced to now; undefined when nothing limits them. */
  #currentBucket(): TokenBucket | undefined {
    if (!this.#pacer) return this.#bucket;
    const rate = this.#pacer.rate;
    if (!Number.isFinite(rate)) {
      this.#bucket = undefined;
      return undefined;
    }
    const configured = this.#configured;
    const burst =
      configured && rate >= configured.rate
        ? configured.burst
        : Math.min(
            configured?.burst ?? Number.POSITIVE_INFINITY,
            Math.max(1, Math.ceil(rate * PACED_BURST_SECONDS)),
          );
    if (!this.#bucket) {
      // Pacing without a configured limit starts at a 429: the provider has nothing saved up, nor do we.
      this.#bucket = new TokenBucket({ ratePerSecond: rate, burst, now: this.#now });
      this.#bucket.empty();
    } else if (this.#bucket.ratePerSecond !== rate || this.#bucket.burst !== burst) {
      this.#bucket.configure(rate, burst);
    }
    return this.#bucket;
  }
}
