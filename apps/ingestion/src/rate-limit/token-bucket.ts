import type { RateLimit as RateLimitConfig } from '@tributary/service-kit';

export interface RateLimitDecision {
  readonly allowed: boolean;
  /** Whole tokens left after this request. */
  readonly remaining: number;
  /** When refused: seconds until one token is back. */
  readonly retryAfterSeconds: number;
  /** Seconds until the bucket is full again. */
  readonly resetSeconds: number;
}

/**
 * A token bucket: `burst` tokens, refilled continuously at `ratePerSecond`. Pure (the clock is a
 * parameter), so the arithmetic is unit-tested without waiting.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly limit: RateLimitConfig,
    nowMs: number,
  ) {
    this.tokens = limit.burst;
    this.updatedAt = nowMs;
  }

  take(nowMs: number, cost = 1): RateLimitDecision {
    this.refill(nowMs);
    const allowed = this.tokens >= cost;
    if (allowed) this.tokens -= cost;
    const missing = Math.max(0, cost - this.tokens);
    return {
      allowed,
      remaining: Math.floor(this.tokens),
      retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil(missing / this.limit.ratePerSecond)),
      resetSeconds: Math.ceil((this.limit.burst - this.tokens) / this.limit.ratePerSecond),
    };
  }

  /** Idle long enough to be full: forgetting it changes nothing. */
  isFull(nowMs: number): boolean {
    this.refill(nowMs);
    return this.tokens >= this.limit.burst;
  }

  private refill(nowMs: number): void {
    const elapsedSeconds = Math.max(0, nowMs - this.updatedAt) / 1000;
    this.tokens = Math.min(this.limit.burst, this.tokens + elapsedSeconds * this.limit.ratePerSecond);
    this.updatedAt = nowMs;
  }
}

/**
 * Buckets per key (provider, API key), in this process. With several replicas each enforces its own share:
 * the effective limit is per instance, which is stated in the README. Full buckets are dropped when the map
 * grows, so unused keys cost no memory.
 */
export class KeyedRateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    readonly name: string,
    readonly limit: RateLimitConfig,
    private readonly now: () => number = Date.now,
    private readonly maxKeys = 10_000,
  ) {}

  /** Buckets held right now. */
  get size(): number {
    return this.buckets.size;
  }

  take(key: string, cost = 1): RateLimitDecision {
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= this.maxKeys) this.evictFull(now);
      bucket = new TokenBucket(this.limit, now);
      this.buckets.set(key, bucket);
    }
    return bucket.take(now, cost);
  }

  /** RateLimit-Policy and RateLimit headers (IETF draft-ietf-httpapi-ratelimit-headers), plus Retry-After on refusal. */
  headers(decision: RateLimitDecision): Record<string, string> {
    const window = Math.max(1, Math.ceil(this.limit.burst / this.limit.ratePerSecond));
    const headers: Record<string, string> = {
      'RateLimit-Policy': `"${this.name}";q=${this.limit.burst};w=${window}`,
      RateLimit: `"${this.name}";r=${decision.remaining};t=${decision.allowed ? decision.resetSeconds : decision.retryAfterSeconds}`,
    };
    if (!decision.allowed) headers['Retry-After'] = String(decision.retryAfterSeconds);
    return headers;
  }

  private evictFull(now: number): void {
    for (const [key, bucket] of this.buckets) if (bucket.isFull(now)) this.buckets.delete(key);
    // Still full of active keys: drop the oldest; they start again with a full bucket.
    if (this.buckets.size >= this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
  }
}
