/**
 * A token bucket: `ratePerSecond` tokens refill continuously up to `burst`. Neither `take()` nor
 * `reserve()` sleeps; they say how long until the caller's token is there, so the caller chooses between a
 * short wait and pausing the partition.
 */
export class TokenBucket {
  #rate: number;
  #perSecond: number;
  #burst: number;
  readonly #now: () => number;
  #tokens: number;
  #updatedAt: number;

  constructor(options: { ratePerSecond: number; burst?: number; now?: () => number }) {
    if (!(options.ratePerSecond > 0)) throw new Error('TokenBucket needs ratePerSecond > 0');
    this.#rate = options.ratePerSecond / 1000;
    this.#perSecond = options.ratePerSecond;
    this.#burst = Math.max(1, options.burst ?? Math.ceil(options.ratePerSecond));
    this.#now = options.now ?? Date.now;
    this.#tokens = this.#burst;
    this.#updatedAt = this.#now();
  }

  get ratePerSecond(): number {
    return this.#perSecond;
  }

  get burst(): number {
    return this.#burst;
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

  /**
   * Reserves the next token when it is at most `maxWaitMs` away: `waitMs` until it is the caller's (0: go
   * now). Reserved tokens are owed (the balance goes below zero), so concurrent callers queue in order, each
   * sleeping exactly its own wait: no thundering retries. Further away, nothing is reserved and `waitMs`
   * says how long until a token would be free.
   */
  reserve(maxWaitMs: number): { waitMs: number; reserved: boolean } {
    this.#refill();
    const waitMs = this.#tokens >= 1 ? 0 : Math.ceil((1 - this.#tokens) / this.#rate);
    if (waitMs > maxWaitMs) return { waitMs, reserved: false };
    this.#tokens -= 1;
    return { waitMs, reserved: true };
  }

  /** Changes rate and burst from now on; tokens saved so far are kept, up to the new burst. */
  configure(ratePerSecond: number, burst: number): void {
    if (!(ratePerSecond > 0)) throw new Error('TokenBucket needs ratePerSecond > 0');
    this.#refill();
    this.#rate = ratePerSecond / 1000;
    this.#perSecond = ratePerSecond;
    this.#burst = Math.max(1, burst);
    this.#tokens = Math.min(this.#tokens, this.#burst);
  }

  /**
   * Starts from an empty bucket: tokens saved up and tokens owed are both forgotten. For a rate that just
   * dropped: whoever holds a reservation made before reserves again at the new rate.
   */
  empty(): void {
    this.#refill();
    this.#tokens = 0;
  }

  #refill(): void {
    const now = this.#now();
    this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#updatedAt) * this.#rate);
    this.#updatedAt = now;
  }
}
