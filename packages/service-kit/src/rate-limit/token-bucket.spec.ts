import { TokenBucket } from './token-bucket.js';

describe('TokenBucket', () => {
  it('hands out the burst at once, then no more than the rate over time', () => {
    let now = 0;
    const bucket = new TokenBucket({ ratePerSecond: 10, burst: 5, now: () => now });
    expect(bucket.takeUpTo(100)).toBe(5);
    let taken = 0;
    while (taken < 50) {
      const got = bucket.takeUpTo(100);
      if (got === 0) now += bucket.msUntil(1);
      taken += got;
    }
    // 50 tokens after the burst need 5 s at 10/s.
    expect(now).toBe(5_000);
  });

  it('takes a cost or says how long until it is there, and refills only up to the burst', () => {
    let now = 0;
    const bucket = new TokenBucket({ ratePerSecond: 2, burst: 3, now: () => now });
    expect(bucket.take(2)).toBe(0);
    expect(bucket.take(2)).toBe(500);
    now = 500;
    expect(bucket.take(2)).toBe(0);
    now = 60_000;
    expect(bucket.tokens).toBe(3);
    expect(bucket.full).toBe(true);
  });

  it('queues reservations in order, each with its own wait, and refuses one too far away', () => {
    const bucket = new TokenBucket({ ratePerSecond: 10, burst: 1, now: () => 0 });
    expect(bucket.reserve(1_000)).toEqual({ waitMs: 0, reserved: true });
    expect(bucket.reserve(1_000)).toEqual({ waitMs: 100, reserved: true });
    expect(bucket.reserve(1_000)).toEqual({ waitMs: 200, reserved: true });
    expect(bucket.reserve(250)).toEqual({ waitMs: 300, reserved: false });
  });

  it('keeps saved tokens up to a new burst when reconfigured, and forgets debts when emptied', () => {
    let now = 0;
    const bucket = new TokenBucket({ ratePerSecond: 100, burst: 50, now: () => now });
    bucket.configure(10, 5);
    expect(bucket.tokens).toBe(5);
    bucket.reserve(10_000);
    bucket.reserve(10_000);
    bucket.empty();
    expect(bucket.tokens).toBe(0);
    now = 100;
    expect(bucket.tokens).toBe(1);
  });

  it('refuses a rate that is not positive', () => {
    expect(() => new TokenBucket({ ratePerSecond: 0 })).toThrow('ratePerSecond > 0');
  });
});
