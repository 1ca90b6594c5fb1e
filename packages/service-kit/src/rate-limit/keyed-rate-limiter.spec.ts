import { KeyedRateLimiter } from './keyed-rate-limiter.js';

describe('KeyedRateLimiter', () => {
  it('allows the burst, then refuses until tokens come back at the configured rate', () => {
    let now = 0;
    const limiter = new KeyedRateLimiter('api', { ratePerSecond: 2, burst: 3 }, () => now);
    expect([1, 2, 3].map(() => limiter.take('a').allowed)).toEqual([true, true, true]);
    expect(limiter.take('a')).toMatchObject({ allowed: false, remaining: 0, retryAfterSeconds: 1 });
    now = 400;
    expect(limiter.take('a').allowed).toBe(false);
    now = 500;
    expect(limiter.take('a')).toMatchObject({ allowed: true, remaining: 0 });
    now = 10_000;
    expect(limiter.take('a')).toMatchObject({ allowed: true, remaining: 2, resetSeconds: 1 });
  });

  it('rounds Retry-After up to whole seconds for slow rates', () => {
    const limiter = new KeyedRateLimiter('slow', { ratePerSecond: 0.1, burst: 1 }, () => 0);
    limiter.take('a');
    expect(limiter.take('a').retryAfterSeconds).toBe(10);
  });

  it('keeps one bucket per key and writes RateLimit headers', () => {
    let now = 0;
    const limiter = new KeyedRateLimiter('api-key', { ratePerSecond: 1, burst: 1 }, () => now);
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('b').allowed).toBe(true);
    const refused = limiter.take('a');
    expect(limiter.headers(refused)).toEqual({
      'RateLimit-Policy': '"api-key";q=1;w=1',
      RateLimit: '"api-key";r=0;t=1',
      'Retry-After': '1',
    });
    now = 1000;
    expect(limiter.take('a').allowed).toBe(true);
  });

  it('forgets full buckets rather than growing without bound', () => {
    let now = 0;
    const limiter = new KeyedRateLimiter('x', { ratePerSecond: 1000, burst: 1 }, () => now, 2);
    limiter.take('a');
    limiter.take('b');
    expect(limiter.size).toBe(2);
    now = 10;
    limiter.take('c');
    expect(limiter.size).toBe(1);
  });
});
