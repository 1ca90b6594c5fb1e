/**
 * How a provider client finds the provider's real limit from its 429s instead of oscillating around it
 * (docs/architecture.md#retries-and-dead-letters). Every field has a default; `adaptivePacing: false` in
 * `ProviderLimits` switches it off.
 */
export interface AdaptivePacingOptions {
  /** After a 429 the pacing rate becomes this share of the rate that was getting through. Default 0.9. */
  decrease?: number;
  /**
   * While the pacing rate is what holds calls back and no 429 comes, it grows by this share of the rate
   * set at the last decrease, per second (additive increase). Default 0.1.
   */
  increase?: number;
  /**
   * After this long above the rate the provider last refused without another 429 (while calls wait for the
   * rate), its limit has probably risen: the rate then grows up to × 2 per second until the next 429, so a higher
   * limit is found in seconds. Default 5 s.
   */
  calmMs?: number;
  /** The pacing rate never goes below this. Default 1 request/s. */
  minRequestsPerSecond?: number;
  /**
   * A Retry-After up to this long is left to pacing: only the refused call waits it. A longer one holds
   * every call to the provider for its whole length, as the provider asked. Default 2 s.
   */
  holdAllAboveMs?: number;
}

export const ADAPTIVE_PACING_DEFAULTS: Readonly<Required<AdaptivePacingOptions>> = {
  decrease: 0.9,
  increase: 0.1,
  calmMs: 5_000,
  minRequestsPerSecond: 1,
  holdAllAboveMs: 2_000,
};

/** The rate of successful calls is measured over the last second, in 100 ms slots. */
const WINDOW_MS = 1_000;
const SLOTS = 10;
/** A 429 this soon after a decrease does not lower the rate again: the lower rate has not been tried yet. */
const DECREASE_GAP_MS = 250;
/**
 * Between two 429s the provider's bucket went from empty to empty, so the calls it accepted in between are
 * its rate, whatever ours was; over longer than this it may have filled up and wasted tokens, and the count
 * would understate it.
 */
const BETWEEN_REFUSALS_MAX_MS = 5_000;
/** Fewer calls accepted in the last second are no measure of the provider's rate: such a 429 is not load. */
const MIN_CALLS_MEASURED = 5;
/** A held call keeps the rate "binding" (allowed to grow) for this long... */
const BINDING_MS = 1_000;
/** ...while at least this share of the rate was accepted over the last second. */
const BINDING_SHARE = 0.8;
/** After a calm stretch, the rate doubles this often. */
const PROBE_DOUBLING_MS = 1_000;

/** Successful calls over the last second, in ten 100 ms slots: constant memory whatever the rate. */
export class RateMeter {
  readonly #counts = new Array<number>(SLOTS).fill(0);
  readonly #slotMs = WINDOW_MS / SLOTS;
  readonly #now: () => number;
  #slot: number;

  constructor(now: () => number) {
    this.#now = now;
    this.#slot = Math.floor(now() / this.#slotMs);
  }

  record(): void {
    this.#advance();
    this.#counts[((this.#slot % SLOTS) + SLOTS) % SLOTS]! += 1;
  }

  /** Calls recorded in the last second (the current slot and the nine before it). */
  count(): number {
    this.#advance();
    return this.#counts.reduce((sum, n) => sum + n, 0);
  }

  /**
   * Calls per second over the time those slots cover (0.9 to 1 s). Over a whole second even when the calls
   * began just now: a burst of a provider's saved-up tokens is not its rate, and a low first estimate is
   * cheap (the rate grows back), a high one costs a burst of 429s.
   */
  perSecond(): number {
    const count = this.count();
    const coveredMs = (SLOTS - 1) * this.#slotMs + (this.#now() - this.#slot * this.#slotMs);
    return (count * 1000) / coveredMs;
  }

  #advance(): void {
    const slot = Math.floor(this.#now() / this.#slotMs);
    if (slot <= this.#slot) return;
    if (slot - this.#slot >= SLOTS) this.#counts.fill(0);
    else for (let s = this.#slot + 1; s <= slot; s++) this.#counts[((s % SLOTS) + SLOTS) % SLOTS] = 0;
    this.#slot = slot;
  }
}

/**
 * AIMD pacing of the calls to one provider. Unpaced (rate = the configured ceiling, or unbounded) until the
 * provider answers 429; then:
 * - decrease: rate ← max(floor, decrease × what was getting through). What was getting through is, the
 *   first time, the rate of successful calls over the last second (at least 5 of them, or the 429 is not
 *   taken as load and only the refused call waits); later, the calls the provider accepted
 *   since the last decrease when that was less than 5 s ago (its bucket was empty at both 429s, so that
 *   count is its rate), else those of the last second; never below half the pacing rate in one step (our
 *   own handlers, paused by 429s, may have let its bucket overflow). Only a 429 to a call sent at least
 *   250 ms after the last decrease counts: the calls in flight or sent just after were paced at the old
 *   rate or have not shown what the new one does.
 * - increase: while calls wait for the rate (it binds), at least 80 % of it gets through and no 429
 *   comes, the rate grows linearly
 *   (`increase` × the rate set at the decrease, per second): the limit is probably near. Once it has been
 *   above the rate the provider last refused for `calmMs` without another 429, the limit has risen (or
 *   gone), and the rate grows up to × 2 per second until the provider objects again. A rate nobody waits for
 *   does not grow, so a quiet connector does not come back with a burst the provider would refuse.
 * - end: at the ceiling the configured limit applies again; without a ceiling, pacing ends once the rate
 *   has grown to 4 × the rate the provider last refused (its limit is gone or much higher).
 * Against a provider's token bucket this settles into a sawtooth of about ±10 % around its rate: below it
 * the provider's bucket refills, above it the calls spend what was saved, and the next 429 comes only when
 * the bucket is empty. Nothing is wasted, so the average is the provider's rate, without the stalls of a
 * blanket Retry-After and the bursts after them.
 */
export class AdaptivePacer {
  readonly #options: Readonly<Required<AdaptivePacingOptions>>;
  #ceiling: number;
  readonly #now: () => number;
  readonly #meter: RateMeter;
  #rate: number;
  #generation = 0;
  #decreasedAt = Number.NEGATIVE_INFINITY;
  #acceptedSinceDecrease = 0;
  #refusedRate = Number.POSITIVE_INFINITY;
  #slope = 0;
  /** When the rate grew past #refusedRate; undefined below it. */
  #aboveRefusedSince: number | undefined;
  #heldAt = Number.NEGATIVE_INFINITY;
  #updatedAt: number;

  constructor(options: AdaptivePacingOptions & { ceiling?: number; now?: () => number } = {}) {
    const { ceiling, now, ...pacing } = options;
    this.#options = { ...ADAPTIVE_PACING_DEFAULTS, ...definedOnly(pacing) };
    const { decrease, increase, calmMs, minRequestsPerSecond } = this.#options;
    if (!(decrease > 0 && decrease < 1)) throw new Error('adaptive pacing needs 0 < decrease < 1');
    if (!(increase > 0 && calmMs > 0 && minRequestsPerSecond > 0))
      throw new Error('adaptive pacing needs a positive increase, calmMs and minRequestsPerSecond');
    this.#ceiling = ceiling ?? Number.POSITIVE_INFINITY;
    this.#now = now ?? Date.now;
    this.#meter = new RateMeter(this.#now);
    this.#rate = this.#ceiling;
    this.#updatedAt = this.#now();
  }

  get holdAllAboveMs(): number {
    return this.#options.holdAllAboveMs;
  }

  /** Requests per second to pace calls to now; `Infinity` when neither a ceiling nor a 429 limits them. */
  get rate(): number {
    this.#grow();
    return this.#rate;
  }

  /** True while a 429 holds the rate below the configured limit. */
  get adapted(): boolean {
    return this.rate < this.#ceiling;
  }

  /** Counts the decreases: a caller that reserved its slot before the last one reserves again. */
  get generation(): number {
    return this.#generation;
  }

  /** The provider accepted a call (any answer but 429: a 4xx spends its quota too). */
  recordAccepted(): void {
    this.#meter.record();
    this.#acceptedSinceDecrease += 1;
  }

  /** A call had to wait for the pacing rate: the rate is what limits throughput, so it may grow. */
  recordHeld(): void {
    this.#grow();
    this.#heldAt = this.#now();
  }

  /**
   * The provider answered 429 to a call sent at `sentAt`. Returns true when the rate was lowered; the
   * caller then empties its token bucket, as the provider's is.
   */
  recordRefused(sentAt: number): boolean {
    const now = this.#now();
    if (sentAt < this.#decreasedAt + DECREASE_GAP_MS) return false;
    this.#grow();
    const adapted = this.#rate < this.#ceiling;
    let through: number;
    if (!adapted) {
      // A lone 429 in a quiet second (an injected fault, someone else's burst on a shared quota) would pin
      // the rate near zero; only the refused call waits for it.
      if (this.#meter.count() < MIN_CALLS_MEASURED) return false;
      through = Math.min(this.#rate, this.#meter.perSecond());
    } else {
      const span = now - this.#decreasedAt;
      const accepted =
        span <= BETWEEN_REFUSALS_MAX_MS
          ? (this.#acceptedSinceDecrease * 1000) / span
          : this.#meter.perSecond();
      through = Math.min(this.#rate, Math.max(accepted, this.#rate / 2));
    }
    const floor = this.#options.minRequestsPerSecond;
    this.#refusedRate = Math.max(floor, adapted ? this.#rate : through);
    this.#rate = Math.min(this.#ceiling, Math.max(floor, this.#options.decrease * through));
    this.#slope = this.#options.increase * this.#rate;
    this.#aboveRefusedSince = undefined;
    this.#acceptedSinceDecrease = 0;
    this.#decreasedAt = now;
    this.#updatedAt = now;
    this.#generation += 1;
    return true;
  }

  /**
   * This client's part of the provider's quota changed by `factor` (its replica's share of the partitions,
   * after a rebalance). A rate learned from a 429 was this replica's share of the provider's limit, so the
   * ceiling, the learned rate, the rate last refused and the growth per second all scale with the share:
   * the rate stays the same fraction of the provider's limit instead of being learned again from new 429s
   * (a larger share) or overshooting until they come (a smaller one). The rate of calls accepted over the
   * last second was measured at the old share and is left as it is. `ceiling` is the new configured limit
   * when the caller has it exactly (the share of the whole, not a product of earlier factors).
   */
  rescale(factor: number, ceiling = this.#ceiling * factor): void {
    if (!(factor > 0) || !Number.isFinite(factor))
      throw new Error('adaptive pacing rescales by a positive factor');
    this.#grow();
    const floor = this.#options.minRequestsPerSecond;
    const atCeiling = this.#rate >= this.#ceiling;
    this.#ceiling = ceiling;
    if (atCeiling) this.#rate = ceiling;
    else if (Number.isFinite(this.#rate))
      this.#rate = Math.min(ceiling, Math.max(floor, this.#rate * factor));
    if (Number.isFinite(this.#refusedRate)) this.#refusedRate = Math.max(floor, this.#refusedRate * factor);
    this.#slope *= factor;
  }

  #grow(): void {
    const now = this.#now();
    const from = this.#updatedAt;
    this.#updatedAt = now;
    if (now <= from || this.#rate >= this.#ceiling) return;
    // Only the time in which calls were waiting for the rate counts, and only while most of the rate is
    // getting through: a quiet spell grows nothing, nor does a rate the provider keeps refusing (handlers
    // pausing for its 429s and bursting back would otherwise ratchet it up between two decreases).
    const until = Math.min(now, this.#heldAt + BINDING_MS);
    if (until <= from) return;
    if (this.#meter.perSecond() < BINDING_SHARE * this.#rate) return;
    // Linear up to the rate the provider refused last, and for `calmMs` beyond it: the limit is probably
    // near, and the provider may be spending what it saved. Still no 429 after that: the limit has risen
    // (or gone), so the rate grows up to × 2 per second until the provider objects again.
    let at = from;
    if (this.#rate < this.#refusedRate) {
      const reachMs = ((this.#refusedRate - this.#rate) / this.#slope) * 1000;
      const span = Math.min(until - at, reachMs);
      this.#rate = span < reachMs ? this.#rate + (this.#slope * span) / 1000 : this.#refusedRate;
      at += span;
      if (this.#rate >= this.#refusedRate) this.#aboveRefusedSince = at;
    }
    if (at < until) {
      this.#aboveRefusedSince ??= at;
      const probeFrom = Math.max(at, this.#aboveRefusedSince + this.#options.calmMs);
      this.#rate += (this.#slope * (Math.min(until, probeFrom) - at)) / 1000;
      if (until > probeFrom) this.#rate *= 2 ** ((until - probeFrom) / PROBE_DOUBLING_MS);
    }
    if (this.#rate >= this.#ceiling) this.#rate = this.#ceiling;
    else if (!Number.isFinite(this.#ceiling) && this.#rate >= 4 * this.#refusedRate)
      this.#rate = Number.POSITIVE_INFINITY;
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
