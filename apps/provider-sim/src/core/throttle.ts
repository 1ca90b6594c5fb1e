import { z } from 'zod';

export const throttleSchema = z.object({
  /** Absent: every provider route, each with its own bucket. */
  route: z
    .string()
    .regex(/^(GET|POST|PUT|PATCH|DELETE) \/\S*$/)
    .optional(),
  requestsPerSecond: z.number().positive(),
  /** Requests admitted at once after a quiet spell. Default: one second's worth (at least 1). */
  burst: z.number().int().positive().optional(),
});

export type ThrottleRule = z.infer<typeof throttleSchema>;

export type Clock = () => number;

/** A token bucket: `rate` tokens per second, at most `capacity` saved up. */
export class TokenBucket {
  #tokens: number;
  #at: number;

  constructor(
    readonly rate: number,
    readonly capacity: number,
    private readonly clock: Clock,
  ) {
    this.#tokens = capacity;
    this.#at = clock();
  }

  /** Takes a token, or says how many seconds until one is there (rounded up, as Retry-After is). */
  take(): { ok: true } | { ok: false; retryAfterSeconds: number } {
    this.#refill();
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - this.#tokens) / this.rate)) };
  }

  /** Whole tokens left now. */
  remaining(): number {
    this.#refill();
    return Math.floor(this.#tokens);
  }

  #refill(): void {
    const now = this.clock();
    this.#tokens = Math.min(this.capacity, this.#tokens + ((now - this.#at) / 1000) * this.rate);
    this.#at = now;
  }
}

/**
 * The benchmark throttle (`POST /__admin/throttle`): above N requests per second a route answers with its
 * provider's own 429. A rule for one route wins over the rule for all routes.
 */
export class Throttle {
  readonly #rules = new Map<string, ThrottleRule>();
  readonly #buckets = new Map<string, TokenBucket>();

  constructor(private readonly clock: Clock = Date.now) {}

  set(rule: ThrottleRule): void {
    this.#rules.set(rule.route ?? '*', rule);
    // A new rule starts with a full bucket, for every route it covers.
    for (const route of [...this.#buckets.keys()]) {
      if (rule.route === undefined || route === rule.route) this.#buckets.delete(route);
    }
  }

  clear(route?: string): void {
    if (route === undefined) {
      this.#rules.clear();
      this.#buckets.clear();
    } else {
      this.#rules.delete(route);
      this.#buckets.delete(route);
    }
  }

  list(): ThrottleRule[] {
    return [...this.#rules.values()];
  }

  ruleFor(route: string): ThrottleRule | undefined {
    return this.#rules.get(route) ?? this.#rules.get('*');
  }

  /** Admits a request on `route`, or says when to come back; always admits an unthrottled route. */
  admit(route: string): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const bucket = this.bucketFor(route);
    return bucket ? bucket.take() : { ok: true };
  }

  bucketFor(route: string): TokenBucket | undefined {
    const rule = this.ruleFor(route);
    if (!rule) return undefined;
    let bucket = this.#buckets.get(route);
    if (!bucket) {
      const capacity = rule.burst ?? Math.max(1, Math.ceil(rule.requestsPerSecond));
      bucket = new TokenBucket(rule.requestsPerSecond, capacity, this.clock);
      this.#buckets.set(route, bucket);
    }
    return bucket;
  }
}
