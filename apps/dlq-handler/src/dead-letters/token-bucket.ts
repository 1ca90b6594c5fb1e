/**
 * A token bucket paced by waiting: `burst` tokens, refilled continuously at `ratePerSecond`. Over any window
 * of t seconds at most `burst + ratePerSecond * t` tokens are handed out. The clock and the sleep are
 * parameters so the arithmetic is unit-tested without waiting.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now(),
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    this.tokens = burst;
    this.updatedAt = now();
  }

  /** Waits until at least one token is there, then takes as many as are there, up to `max`. */
  async take(max: number, signal?: AbortSignal): Promise<number> {
    for (;;) {
      if (signal?.aborted) return 0;
      this.refill();
      const whole = Math.floor(this.tokens);
      if (whole >= 1) {
        const taken = Math.min(whole, max);
        this.tokens -= taken;
        return taken;
      }
      await this.sleep(Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1000));
    }
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.updatedAt) / 1000) * this.ratePerSecond);
    this.updatedAt = now;
  }
}
