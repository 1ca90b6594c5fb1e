import { TokenBucket } from '@tributary/service-kit';
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
    const waitMs = this.bucketFor(route)?.take() ?? 0;
    // Retry-After counts whole seconds, rounded up, as providers send it.
    return waitMs === 0
      ? { ok: true }
      : { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
  }

  bucketFor(route: string): TokenBucket | undefined {
    const rule = this.ruleFor(route);
    if (!rule) return undefined;
    let bucket = this.#buckets.get(route);
    if (!bucket) {
      bucket = new TokenBucket({
        ratePerSecond: rule.requestsPerSecond,
        ...(rule.burst === undefined ? {} : { burst: rule.burst }),
        now: this.clock,
      });
      this.#buckets.set(route, bucket);
    }
    return bucket;
  }
}
