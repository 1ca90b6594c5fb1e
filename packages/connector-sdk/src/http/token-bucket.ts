/**
 * A token bucket: `ratePerSecond` tokens refill continuously up to `burst`. `take()` never sleeps; it
 * says how long until a token would be there, so the caller chooses between a short wait and pausing
 * the partition.
 */
export class TokenBucket {
  readonly #rate: number;
  readonly #burst: number;
  readonly #now: () => number;
  #tokens: number;
  #updatedAt: number;

  constructor(options: { ratePerSecond: number; burst?: number; now?: () => number }) {
    if (!(options.ratePerSecond > 0)) throw new Error('TokenBucket needs ratePerSecond > 0');
    this.#rate = options.ratePerSecond / 1000;
    this.#burst = Math.max(1, options.burst ?? Math.ceil(options.ratePerSecond));
    this.#now = options.now ?? Date.now;
    this.#tokens = this.#burst;
    this.#updatedAt = this.#now();
  }

  /** Takes a token and returns 0, or takes nothing and returns the milliseconds until one is available. */
  take(): number {
    this.#refill();
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - this.#tokens) / this.#rate);
  }

  #refill(): void {
    const now = this.#now();
    this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#updatedAt) * this.#rate);
    this.#updatedAt = now;
  }
}
