import { TokenBucket } from './token-bucket.js';

describe('TokenBucket', () => {
  it('hands out the burst at once, then no more than the rate over time', async () => {
    let now = 0;
    const bucket = new TokenBucket(
      10,
      5,
      () => now,
      async (ms) => {
        now += ms;
      },
    );
    expect(await bucket.take(100)).toBe(5);
    let taken = 0;
    while (taken < 50) taken += await bucket.take(100);
    // 50 tokens after the burst need 5 s at 10/s.
    expect(now).toBeGreaterThanOrEqual(4_900);
    expect(now).toBeLessThanOrEqual(5_200);
  });

  it('never takes more than asked, and refills only up to the burst', async () => {
    let now = 0;
    const bucket = new TokenBucket(
      100,
      3,
      () => now,
      async () => {},
    );
    expect(await bucket.take(2)).toBe(2);
    now = 60_000;
    expect(await bucket.take(100)).toBe(3);
  });
});
