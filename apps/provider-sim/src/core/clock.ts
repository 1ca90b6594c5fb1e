/**
 * The time every simulated provider stamps on its objects and events (`created`, `createdAt`, `created_at`),
 * shiftable by an offset (`POST /__admin/clock`) so a test can age events past a provider's retention without
 * waiting. Rate limits, latency and webhook timing keep real time: a shifted clock must not throttle anyone.
 */
export class SimClock {
  #offsetMs = 0;

  constructor(private readonly real: () => number = Date.now) {}

  /** Milliseconds since the epoch, as the providers see it. */
  now(): number {
    return this.real() + this.#offsetMs;
  }

  /** Seconds since the epoch, Stripe's timestamps. */
  seconds(): number {
    return Math.floor(this.now() / 1000);
  }

  date(): Date {
    return new Date(this.now());
  }

  get offsetMs(): number {
    return this.#offsetMs;
  }

  /** Sets the offset from real time (not cumulative: 0 puts the clock back). */
  setOffset(offsetMs: number): void {
    this.#offsetMs = offsetMs;
  }
}
