export interface TokenBucketOptions {
  /** Tokens added per second, continuously. */
  readonly ratePerSecond: number;
  /** Most tokens saved up: the burst allowed after a quiet spell. Default: one second's worth (≥ 1). */
  readonly burst?: number;
  /** Milliseconds; injectable so the arithmetic is tested without waiting. */
  readonly now?: () => number;
}

/**
 * The platform's one token bucket: `ratePerSecond` tokens refill continuously up to `burst`. Nothing here
 * sleeps; every call says how long until the caller's tokens are there, so each caller chooses what to do
 * with a wait: answer 429 with Retry-After (HTTP APIs), sleep (a replay loop), or pause a Kafka partition
 * (a provider client). Over any window of t seconds at most `burst + ratePerSecond × t` tokens are handed
 * out.
 */
export class TokenBucket {
  #perMs: number;
  #perSecond: number;
  #burst: number;
  readonly #now: () => number;
  #tokens: number;
  #updatedAt: number;

  constructor(options: TokenBucketOptions) {
    if (!(options.ratePerSecond > 0)) throw new Error('TokenBucket needs ratePerSecond > 0');
    this.#perMs = options.ratePerSecond / 1000;
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

  /** Tokens there now, fractions included (negative while reservations are owed). */
  get tokens(): number {
    this.#refill();
    return this.#tokens;
  }

  /** True when idle long enough to be full: forgetting the bucket would change nothing. */
  get full(): boolean {
    return this.tokens >= this.#burst;
  }

  /** Takes `cost` tokens and returns 0, or takes nothing and returns the milliseconds until they are there. */
  take(cost = 1): number {
    this.#refill();
    if (this.#tokens >= cost) {
      this.#tokens -= cost;
      return 0;
    }
    return this.msUntil(cost);
  }

  /** Takes every whole token there, up to `max`; 0 when none is (then `msUntil(1)` says how long). */
  takeUpTo(max: number): number {
    this.#refill();
    const taken = Math.max(0, Math.min(Math.floor(this.#tokens), max));
    this.#tokens -= taken;
    return taken;
  }

  /** Milliseconds until `cost` tokens are there (0: now). */
  msUntil(cost = 1): number {
    this.#refill();
    return this.#tokens >= cost ? 0 : Math.ceil((cost - this.#tokens) / this.#perMs);
  }

  /** Milliseconds until the bucket is full again. */
  msUntilFull(): number {
    return this.msUntil(this.#burst);
  }

  /**
   * Reserves the next token when it is at most `maxWaitMs` away: `waitMs` until it is the caller's (0: go
   * now). Reserved tokens are owed (the balance goes below zero), so concurrent callers queue in order, each
   * sleeping exactly its own wait: no thundering retries. Further away, nothing is reserved and `waitMs`
   * says how long until a token would be free.
   */
  reserve(maxWaitMs: number): { waitMs: number; reserved: boolean } {
    const waitMs = this.msUntil(1);
    if (waitMs > maxWaitMs) return { waitMs, reserved: false };
    this.#tokens -= 1;
    return { waitMs, reserved: true };
  }

  /** Changes rate and burst from now on; tokens saved so far are kept, up to the new burst. */
  configure(ratePerSecond: number, burst: number): void {
    if (!(ratePerSecond > 0)) throw new Error('TokenBucket needs ratePerSecond > 0');
    this.#refill();
    this.#perMs = ratePerSecond / 1000;
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
    this.#tokens = Math.min(this.#burst, this.#tokens + Math.max(0, now - this.#updatedAt) * this.#perMs);
    this.#updatedAt = now;
  }
}
