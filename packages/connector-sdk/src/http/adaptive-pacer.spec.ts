import { AdaptivePacer, RateMeter } from './adaptive-pacer.js';

/** A clock the test moves by hand. */
function fakeClock(start = 1_700_000_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

/** `count` accepted calls spread evenly over `ms`, with calls waiting for their slots (the rate binds). */
function acceptOver(
  pacer: AdaptivePacer,
  clock: ReturnType<typeof fakeClock>,
  count: number,
  ms: number,
  held = false,
) {
  for (let i = 0; i < count; i++) {
    clock.advance(ms / count);
    if (held) pacer.recordHeld();
    pacer.recordAccepted();
  }
}

/** Calls for `ms`, each waiting for its slot at the pacing rate and accepted: the rate binds. */
function paceFor(pacer: AdaptivePacer, clock: ReturnType<typeof fakeClock>, ms: number) {
  const until = clock.now() + ms;
  while (clock.now() < until && Number.isFinite(pacer.rate)) {
    clock.advance(Math.min(until - clock.now(), 1000 / pacer.rate));
    pacer.recordHeld();
    pacer.recordAccepted();
  }
}

/** Within `share` of `expected` (the meter counts in 100 ms slots, so a second is 0.9–1 s of them). */
function expectNear(value: number, expected: number, share = 0.03) {
  expect(value).toBeGreaterThanOrEqual(expected * (1 - share));
  expect(value).toBeLessThanOrEqual(expected * (1 + share));
}

describe('RateMeter', () => {
  it('counts the last second, a burst included as what it is: so many calls in a second', () => {
    const clock = fakeClock(0);
    const meter = new RateMeter(clock.now);
    for (let i = 0; i < 200; i++) {
      clock.advance(10);
      meter.record();
    }
    expectNear(meter.perSecond(), 100, 0.1);
    clock.advance(5_000);
    expect(meter.perSecond()).toBe(0);
    for (let i = 0; i < 20; i++) meter.record(); // 20 calls at once, after a quiet spell
    clock.advance(50);
    expect(meter.count()).toBe(20);
    expectNear(meter.perSecond(), 20, 0.15);
  });
});

describe('AdaptivePacer', () => {
  it('does not pace until the provider refuses a call', () => {
    const clock = fakeClock();
    expect(new AdaptivePacer({ now: clock.now }).rate).toBe(Number.POSITIVE_INFINITY);
    const capped = new AdaptivePacer({ ceiling: 25, now: clock.now });
    acceptOver(capped, clock, 100, 4_000, true);
    expect(capped.rate).toBe(25);
    expect(capped.adapted).toBe(false);
  });

  it('drops to 0.9 × the rate that got through in the last second at the first 429', () => {
    const clock = fakeClock();
    const pacer = new AdaptivePacer({ ceiling: 1_000, now: clock.now });
    acceptOver(pacer, clock, 200, 2_000);
    expect(pacer.recordRefused(clock.now())).toBe(true);
    expectNear(pacer.rate, 90);
    expect(pacer.adapted).toBe(true);
    expect(pacer.generation).toBe(1);
  });

  it('lowers the rate once per 429 episode: calls sent before or just after the decrease do not count', () => {
    const clock = fakeClock();
    const pacer = new AdaptivePacer({ now: clock.now });
    acceptOver(pacer, clock, 100, 1_000);
    const inFlight = clock.now() - 5;
    expect(pacer.recordRefused(clock.now())).toBe(true);
    const rate = pacer.rate;
    clock.advance(20);
    expect(pacer.recordRefused(inFlight)).toBe(false);
    expect(pacer.recordRefused(clock.now() - 10)).toBe(false); // sent 10 ms after the decrease
    expect(pacer.rate).toBe(rate);
    expect(pacer.generation).toBe(1);
  });

  it("takes the calls accepted between two 429s as the provider's rate, at most halving per step", () => {
    const clock = fakeClock();
    const pacer = new AdaptivePacer({ now: clock.now });
    acceptOver(pacer, clock, 200, 1_000); // a full bucket spent: 200/s looks like the rate
    pacer.recordRefused(clock.now());
    expectNear(pacer.rate, 180);
    acceptOver(pacer, clock, 120, 1_000); // the provider really admits 120/s
    expect(pacer.recordRefused(clock.now())).toBe(true);
    expectNear(pacer.rate, 0.9 * 120);
    acceptOver(pacer, clock, 10, 1_000); // a near-idle second (its partitions paused): at most halving
    pacer.recordRefused(clock.now());
    expectNear(pacer.rate, 0.9 * 54);
    acceptOver(pacer, clock, 300, 3_000); // too long ago: the provider may have saved up meanwhile
    pacer.recordRefused(clock.now());
    expectNear(pacer.rate, 0.9 * 0.9 * 54);
  });

  it('grows only while calls wait for it and get through: linearly, faster once well past the last refusal', () => {
    const clock = fakeClock();
    const idle = new AdaptivePacer({ now: clock.now, increase: 0.05, calmMs: 5_000 });
    acceptOver(idle, clock, 100, 1_000);
    idle.recordRefused(clock.now());
    expectNear(idle.rate, 90);
    clock.advance(30_000); // nobody waits: the rate stays
    expectNear(idle.rate, 90);
    acceptOver(idle, clock, 300, 6_000, true); // calls wait, but only 50/s get through: no growth either
    expectNear(idle.rate, 90);

    const pacer = new AdaptivePacer({ ceiling: 1_000, now: clock.now, increase: 0.05, calmMs: 5_000 });
    acceptOver(pacer, clock, 100, 1_000); // refused at 100/s
    pacer.recordRefused(clock.now());
    paceFor(pacer, clock, 4_000); // 0.05 × 90 = 4.5/s, past 100 after 2.2 s
    expectNear(pacer.rate, 90 + 18);
    paceFor(pacer, clock, 3_222); // still linear for 5 s past 100
    expectNear(pacer.rate, 122.5);
    paceFor(pacer, clock, 2_000); // then up to × 2 per second, as far as what gets through keeps up
    expect(pacer.rate).toBeGreaterThan(2 * 122.5);
    expect(pacer.rate).toBeLessThanOrEqual(4 * 122.5);
  });

  it('returns to the configured limit, and without one stops pacing at 4 × the refused rate', () => {
    const clock = fakeClock();
    const capped = new AdaptivePacer({ ceiling: 100, now: clock.now });
    acceptOver(capped, clock, 100, 1_000);
    capped.recordRefused(clock.now());
    paceFor(capped, clock, 3_000);
    expect(capped.rate).toBe(100);
    expect(capped.adapted).toBe(false);

    const open = new AdaptivePacer({ now: clock.now });
    acceptOver(open, clock, 100, 1_000);
    open.recordRefused(clock.now());
    paceFor(open, clock, 6_000);
    expect(open.rate).toBeLessThan(4 * 100);
    paceFor(open, clock, 6_000);
    expect(open.rate).toBe(Number.POSITIVE_INFINITY);
  });

  it('takes a 429 in a quiet second for noise, not for the provider rate', () => {
    const clock = fakeClock();
    const pacer = new AdaptivePacer({ ceiling: 25, now: clock.now });
    acceptOver(pacer, clock, 4, 1_000);
    expect(pacer.recordRefused(clock.now())).toBe(false);
    expect(pacer.rate).toBe(25);
    expect(pacer.generation).toBe(0);
  });

  it('never goes below its floor and refuses nonsense options', () => {
    const clock = fakeClock();
    const pacer = new AdaptivePacer({ now: clock.now, minRequestsPerSecond: 10 });
    acceptOver(pacer, clock, 5, 1_000);
    expect(pacer.recordRefused(clock.now())).toBe(true);
    expect(pacer.rate).toBe(10);
    expect(() => new AdaptivePacer({ decrease: 1 })).toThrow(/decrease/);
    expect(() => new AdaptivePacer({ increase: 0 })).toThrow(/increase/);
  });
});
