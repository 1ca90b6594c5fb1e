import type { AdaptivePacingOptions } from './adaptive-pacer.js';
import { PacedLimiter } from './paced-limiter.js';

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
