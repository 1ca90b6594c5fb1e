import type { Answer } from '../core/http.js';
import { hubspotError } from './errors.js';

export type Clock = () => number;

/**
 * HubSpot's own limit on its search endpoints (about five requests per second per token), on top of the
 * app's ten-second window: a sliding one-second window per Authorization header.
 */
export class SearchRateLimit {
  readonly #windows = new Map<string, number[]>();

  constructor(
    private readonly perSecond: number,
    private readonly clock: Clock = Date.now,
  ) {}

  /** Whether one more search fits now; does not count it (see `take`). */
  check(token: string): { ok: true } | { ok: false; retryAfterSeconds: number; answer: Answer } {
    const now = this.clock();
    const window = (this.#windows.get(token) ?? []).filter((at) => at > now - 1_000);
    this.#windows.set(token, window);
    if (window.length < this.perSecond) return { ok: true };
    return {
      ok: false,
      retryAfterSeconds: 1,
      answer: hubspotError(429, 'RATE_LIMITS', 'You have reached your secondly limit.', {
        errorType: 'RATE_LIMIT',
        policyName: 'SECONDLY',
      }),
    };
  }

  take(token: string): void {
    const window = this.#windows.get(token) ?? [];
    window.push(this.clock());
    this.#windows.set(token, window);
  }
}
