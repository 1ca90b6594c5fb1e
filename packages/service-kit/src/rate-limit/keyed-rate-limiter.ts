import { TokenBucket } from './token-bucket.js';

export interface RateLimit {
  /** Tokens added per second. */
  readonly ratePerSecond: number;
  /** Bucket size: the burst allowed on top of the steady rate. */
  readonly burst: number;
}

export interface RateLimitDecision {
  readonly allowed: boolean;
  /** Whole tokens left after this request. */
  readonly remaining: number;
  /** When refused: seconds until the request's tokens are back (at least 1, as Retry-After counts). */
  readonly retryAfterSeconds: number;
  /** Seconds until the bucket is full again. */
  readonly resetSeconds: number;
}

/**
 * One token bucket per key (a provider, an API key), in this process: with N replicas each enforces its own
 * bucket, so the effective limit is N times the configured one. Services say so where their limits are
 * documented. Full buckets are dropped when the map grows, so keys seen once cost no memory.
 */
export class KeyedRateLimiter {
  readonly #buckets = new Map<string, TokenBucket>();

  constructor(
    /** Names the policy in the RateLimit headers and the rate-limited metric. */
    readonly name: string,
    readonly limit: RateLimit,
    private readonly now: () => number = Date.now,
    private readonly maxKeys = 10_000,
  ) {}

  /** Buckets held right now. */
  get size(): number {
    return this.#buckets.size;
  }

  take(key: string, cost = 1): RateLimitDecision {
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      if (this.#buckets.size >= this.maxKeys) this.#evictFull();
      bucket = new TokenBucket({ ...this.limit, now: this.now });
      this.#buckets.set(key, bucket);
    }
    const waitMs = bucket.take(cost);
    return {
      allowed: waitMs === 0,
      remaining: Math.max(0, Math.floor(bucket.tokens)),
      retryAfterSeconds: waitMs === 0 ? 0 : Math.max(1, Math.ceil(waitMs / 1000)),
      resetSeconds: Math.ceil(bucket.msUntilFull() / 1000),
    };
  }

  /**
   * RateLimit-Policy and RateLimit headers (IETF draft-ietf-httpapi-ratelimit-headers), and Retry-After on a
   * refusal.
   */
  headers(decision: RateLimitDecision): Record<string, string> {
    const window = Math.max(1, Math.ceil(this.limit.burst / this.limit.ratePerSecond));
    const headers: Record<string, string> = {
      'RateLimit-Policy': `"${this.name}";q=${this.limit.burst};w=${window}`,
      RateLimit: `"${this.name}";r=${decision.remaining};t=${decision.allowed ? decision.resetSeconds : decision.retryAfterSeconds}`,
    };
    if (!decision.allowed) headers['Retry-After'] = String(decision.retryAfterSeconds);
    return headers;
  }

  #evictFull(): void {
    for (const [key, bucket] of this.#buckets) if (bucket.full) this.#buckets.delete(key);
    // Still full of active keys: drop the oldest; it starts again with a full bucket.
    if (this.#buckets.size >= this.maxKeys) this.#buckets.delete(this.#buckets.keys().next().value!);
  }
}
