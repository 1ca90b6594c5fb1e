import type { AdaptivePacingOptions } from './adaptive-pacer.js';
import { PacedLimiter } from './paced-limiter.js';
import { quotaShareOf } from './quota-share.js';

/**
 * The whole loop on a fake clock, deterministic: `workers` handlers (a connector's concurrent partitions)
 * call a provider that admits `limit(t)` requests/s with a bucket of one second's worth (by default) and answers 429
 * with Retry-After in whole seconds, rounded up, like the simulator and real providers. Each call goes
 * through a PacedLimiter exactly as ProviderHttpClient#admit and #attempt use it; a refused call's handler
 * waits its Retry-After plus `pauseOverheadMs` (the consumer pauses the partition, resumes, fetches again).
 */
async function closedLoop(options: {
  limit: (t: number) => number;
  seconds: number;
  workers?: number;
  pauseOverheadMs?: number;
  /** The provider's bucket, in seconds of its rate. Default 1. */
  providerBurstSeconds?: number;
  rateLimit?: { requestsPerSecond: number; burst?: number };
  adaptivePacing?: AdaptivePacingOptions | false;
}) {
  let now = 0;
  let sequence = 0;
  const timers: { at: number; seq: number; resolve: () => void }[] = [];
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => timers.push({ at: now + Math.max(0, ms), seq: sequence++, resolve }));
  let seed = 7;
  const jitter = (ms: number) => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return (ms * seed) / 2 ** 31;
  };

  // The provider's token bucket.
  const capacity = (rate: number) => Math.max(1, rate * (options.providerBurstSeconds ?? 1));
  let tokens = capacity(options.limit(0));
  let refilledAt = 0;
  const provider = (): number | undefined => {
    const rate = options.limit(now);
    tokens = Math.min(capacity(rate), tokens + ((now - refilledAt) / 1000) * rate);
    refilledAt = now;
    if (tokens >= 1) {
      tokens -= 1;
      return undefined;
    }
    return Math.max(1, Math.ceil((1 - tokens) / rate)) * 1000;
  };

  const limiter = new PacedLimiter({
    rateLimit: options.rateLimit ?? { requestsPerSecond: 1_000, burst: 1_000 },
    adaptivePacing: options.adaptivePacing,
    now: () => now,
  });
  const accepted: number[] = [];
  const refused: number[] = [];
  const pacing: { at: number; rate: number }[] = [];
  let blockedUntil = 0;
  const end = options.seconds * 1000;

  const worker = async () => {
    while (now < end) {
      await sleep(4 + jitter(4)); // the handler's own work (inbox, transaction)
      let pause = 0;
      if (blockedUntil - now > 1_000) pause = blockedUntil - now;
      else {
        if (blockedUntil > now) await sleep(blockedUntil - now);
        for (;;) {
          const slot = limiter.reserve(1_000);
          if (!slot || slot.waitMs === 0) break;
          if (!slot.reserved) {
            pause = slot.waitMs;
            break;
          }
          await sleep(slot.waitMs);
          if (limiter.generation === slot.generation) break;
        }
      }
      if (pause === 0) {
        const sentAt = now;
        await sleep(1 + jitter(1));
        const retryAfter = provider();
        await sleep(1 + jitter(1));
        if (retryAfter === undefined) {
          limiter.recordAccepted();
          accepted.push(now);
          continue;
        }
        refused.push(now);
        limiter.recordRefused(sentAt);
        if (limiter.holdsAll(retryAfter)) blockedUntil = Math.max(blockedUntil, now + retryAfter);
        pause = retryAfter;
      }
      await sleep(Math.max(1_000, pause) + (options.pauseOverheadMs ?? 0) * (0.5 + jitter(1)));
    }
  };
  const sampler = async () => {
    while (now < end) {
      pacing.push({ at: now, rate: limiter.rate });
      await sleep(100);
    }
  };

  const running = [...Array.from({ length: options.workers ?? 6 }, worker), sampler()];
  let settled = false;
  void Promise.all(running).then(() => (settled = true));
  while (!settled) {
    await new Promise((resolve) => setImmediate(resolve));
    timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
    const next = timers.shift();
    if (!next) continue;
    now = next.at;
    next.resolve();
  }

  const count = (times: number[], from: number, to: number) =>
    times.filter((t) => t >= from * 1000 && t < to * 1000).length;
  return {
    /** Accepted calls per second in [from, to) seconds. */
    acceptedRate: (from: number, to: number) => count(accepted, from, to) / (to - from),
    /** Calls sent (accepted or refused) per second in [from, to). */
    sentRate: (from: number, to: number) =>
      (count(accepted, from, to) + count(refused, from, to)) / (to - from),
    refusedShare: (from: number, to: number) =>
      count(refused, from, to) / Math.max(1, count(accepted, from, to) + count(refused, from, to)),
    pacingRates: (from: number, to: number) =>
      pacing.filter((p) => p.at >= from * 1000 && p.at < to * 1000).map((p) => p.rate),
  };
}

const windows = (from: number, to: number, size: number) =>
  Array.from({ length: (to - from) / size }, (_, i) => [from + i * size, from + (i + 1) * size] as const);

describe('PacedLimiter against a throttling provider (fake clock)', () => {
  it.each([50, 200])(
    'converges to within a few %% of a limit of %i/s and does not go above it',
    async (limit) => {
      const loop = await closedLoop({ limit: () => limit, seconds: 60 });
      // Converged well within the first 15 s; from then on, every 5 s:
      expect(loop.acceptedRate(15, 60)).toBeGreaterThanOrEqual(0.97 * limit);
      for (const [from, to] of windows(15, 60, 5)) {
        expect(loop.acceptedRate(from, to)).toBeGreaterThanOrEqual(0.93 * limit);
        // Sent, not only accepted: the client itself stays at the limit, the provider barely refuses.
        expect(loop.sentRate(from, to)).toBeLessThanOrEqual(1.07 * limit);
      }
      expect(loop.refusedShare(15, 60)).toBeLessThan(0.02);
      const rates = loop.pacingRates(15, 60);
      expect(Math.min(...rates)).toBeGreaterThanOrEqual(0.85 * limit);
      expect(Math.max(...rates)).toBeLessThanOrEqual(1.15 * limit);
    },
  );

  it('finds a limit that rose, and follows one that fell', async () => {
    const rising = await closedLoop({ limit: (t) => (t < 30_000 ? 100 : 200), seconds: 75 });
    expect(rising.acceptedRate(20, 30)).toBeLessThanOrEqual(1.05 * 100);
    // Within 15 s of the rise, at the new limit.
    expect(rising.acceptedRate(45, 75)).toBeGreaterThanOrEqual(0.93 * 200);
    expect(rising.sentRate(60, 75)).toBeLessThanOrEqual(1.07 * 200);

    const falling = await closedLoop({ limit: (t) => (t < 30_000 ? 200 : 100), seconds: 60 });
    expect(falling.acceptedRate(40, 60)).toBeGreaterThanOrEqual(0.95 * 100);
    expect(falling.sentRate(40, 60)).toBeLessThanOrEqual(1.07 * 100);
    expect(falling.refusedShare(40, 60)).toBeLessThan(0.02);
  });

  it('stays at the configured limit when the provider allows more', async () => {
    const loop = await closedLoop({
      limit: () => 500,
      seconds: 20,
      rateLimit: { requestsPerSecond: 100 },
    });
    expect(loop.refusedShare(0, 20)).toBe(0);
    expect(loop.acceptedRate(5, 20)).toBeGreaterThanOrEqual(0.97 * 100);
    expect(loop.acceptedRate(5, 20)).toBeLessThanOrEqual(1.01 * 100);
    expect(new Set(loop.pacingRates(0, 20))).toEqual(new Set([100]));
  });

  it('keeps up with a provider whose bucket holds less than a Retry-After, where a blanket hold cannot', async () => {
    // Each blanket 1 s hold lets the provider save only 0.1 s worth: most of every second is lost.
    const options = { limit: () => 100, seconds: 60, providerBurstSeconds: 0.1, pauseOverheadMs: 100 };
    const blanket = await closedLoop({ ...options, adaptivePacing: false });
    const paced = await closedLoop(options);
    expect(blanket.acceptedRate(15, 60)).toBeLessThan(0.5 * 100);
    expect(paced.acceptedRate(15, 60)).toBeGreaterThanOrEqual(0.95 * 100);
  });
});

describe('PacedLimiter', () => {
  it('holds every call only for a Retry-After longer than holdAllAboveMs, and for any without pacing', () => {
    const paced = new PacedLimiter({ adaptivePacing: { holdAllAboveMs: 2_000 } });
    expect(paced.holdsAll(1_000)).toBe(false);
    expect(paced.holdsAll(2_000)).toBe(false);
    expect(paced.holdsAll(2_001)).toBe(true);
    expect(new PacedLimiter({ adaptivePacing: false }).holdsAll(1_000)).toBe(true);
  });

  it('starts pacing an unlimited client from an empty bucket at the first 429', () => {
    let now = 0;
    const limiter = new PacedLimiter({ now: () => now });
    expect(limiter.reserve(1_000)).toBeUndefined();
    for (let i = 0; i < 50; i++) {
      now += 20;
      limiter.recordAccepted();
    }
    expect(limiter.recordRefused(now)).toBe(true);
    expect(limiter.rate).toBeCloseTo(45, -1);
    const first = limiter.reserve(1_000)!;
    expect(first).toMatchObject({ reserved: true, paced: true });
    expect(first.waitMs).toBeGreaterThan(0); // nothing saved up: the provider has nothing either
  });
});

describe('PacedLimiter: a replica share of the quota', () => {
  /** Calls that get a slot at once or within 1 s, one every `everyMs`, for `ms`: what the limiter lets go. */
  function saturate(limiters: readonly PacedLimiter[], clock: { now: number }, ms: number, everyMs = 5) {
    let sent = 0;
    const queuedUntil = limiters.map(() => clock.now);
    for (const end = clock.now + ms; clock.now < end; clock.now += everyMs) {
      limiters.forEach((limiter, i) => {
        // A call waits for its slot; the next one is asked for only once the previous one went.
        if (queuedUntil[i]! > clock.now) return;
        const slot = limiter.reserve(1_000)!;
        if (!slot.reserved) return;
        queuedUntil[i] = clock.now + slot.waitMs;
        if (queuedUntil[i]! < end) sent += 1;
      });
    }
    return sent;
  }

  it('scales the configured rate and burst with the share, the burst rounded down and at least 1', () => {
    const clock = { now: 0 };
    const limiter = new PacedLimiter({
      rateLimit: { requestsPerSecond: 20, burst: 10 },
      now: () => clock.now,
    });
    expect(limiter.share).toBe(1);
    limiter.setShare(0.5);
    expect(limiter.rate).toBe(10);
    // The saved-up burst is cut to the share's: 5 calls at once, then one every 100 ms.
    const first = Array.from({ length: 6 }, () => limiter.reserve(1_000)!.waitMs);
    expect(first).toEqual([0, 0, 0, 0, 0, 100]);
    limiter.setShare(1 / 30);
    expect(limiter.rate).toBeCloseTo(20 / 30, 12);
    clock.now += 60_000;
    expect(limiter.reserve(1_000)!.waitMs).toBe(0);
    expect(limiter.reserve(10_000)!.waitMs).toBe(1_500); // a burst of 1, one call every 1.5 s
    expect(limiter.adapted).toBe(false);
    expect(() => limiter.setShare(0)).toThrow(RangeError);
  });

  it('re-splits on a rebalance: two replicas together never send more than the quota, one alone all of it', () => {
    const clock = { now: 0 };
    const rateLimit = { requestsPerSecond: 20, burst: 4 };
    const a = new PacedLimiter({ rateLimit, now: () => clock.now });
    const b = new PacedLimiter({ rateLimit, now: () => clock.now });
    // Alone on six partitions, `a` holds the whole quota.
    expect(saturate([a], clock, 10_000)).toBeLessThanOrEqual(4 + 20 * 10);
    expect(saturate([a], clock, 10_000)).toBeGreaterThanOrEqual(20 * 10 - 1);
    // `b` joins: three partitions each. Over 10 s both together: the quota's rate and burst, not twice it.
    a.setShare(quotaShare(3, 6));
    b.setShare(quotaShare(3, 6));
    const together = saturate([a, b], clock, 10_000);
    expect(together).toBeLessThanOrEqual(4 + 20 * 10);
    expect(together).toBeGreaterThanOrEqual(0.97 * 20 * 10);
    // `b` leaves: `a` gets its partitions back and the whole rate again.
    a.setShare(quotaShare(6, 6));
    const alone = saturate([a], clock, 10_000);
    expect(alone).toBeGreaterThanOrEqual(0.99 * 20 * 10);
    expect(alone).toBeLessThanOrEqual(4 + 20 * 10);
  });

  it('carries a rate learned from 429s to the new share in proportion', () => {
    let now = 0;
    const limiter = new PacedLimiter({ rateLimit: { requestsPerSecond: 100 }, now: () => now });
    for (let i = 0; i < 80; i++) {
      now += 12.5;
      limiter.recordAccepted();
    }
    expect(limiter.recordRefused(now)).toBe(true);
    const learned = limiter.rate;
    // 0.9 × the 80/s getting through (the meter's second is 0.9–1 s of 100 ms slots).
    expect(learned).toBeGreaterThanOrEqual(0.9 * 80);
    expect(learned).toBeLessThanOrEqual(0.9 * 80 * 1.05);
    // Half the partitions: half of what this replica learned the provider allows it.
    limiter.setShare(0.5);
    expect(limiter.rate).toBeCloseTo(learned / 2, 9);
    expect(limiter.adapted).toBe(true);
    limiter.setShare(1);
    expect(limiter.rate).toBeCloseTo(learned, 9);
    // At the configured limit, a share stays exactly at its part of the limit, not paced below it.
    const fresh = new PacedLimiter({ rateLimit: { requestsPerSecond: 100 }, now: () => now });
    fresh.setShare(0.5);
    fresh.setShare(1 / 3);
    expect(fresh.rate).toBe(100 * (1 / 3));
    expect(fresh.adapted).toBe(false);
  });
});

function quotaShare(assigned: number, total: number): number {
  return quotaShareOf({ assigned, total }, 20);
}
