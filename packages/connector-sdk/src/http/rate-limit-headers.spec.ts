import { clamp, rateLimitRemaining, retryAfterMs } from './rate-limit-headers.js';
import { TokenBucket } from './token-bucket.js';
import { idempotencyKeyFor } from './idempotency-key.js';

describe('rate-limit headers', () => {
  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs({ 'retry-after': '3' }, now)).toBe(3_000);
    expect(retryAfterMs({ 'retry-after': 'Thu, 01 Jan 2026 00:00:10 GMT' }, now)).toBe(10_000);
    expect(retryAfterMs({ 'retry-after': 'soon' }, now)).toBeUndefined();
    expect(retryAfterMs({}, now)).toBeUndefined();
  });

  it('reads the remaining requests under the names providers use', () => {
    expect(rateLimitRemaining({ 'x-hubspot-ratelimit-remaining': '9' })).toBe(9);
    expect(rateLimitRemaining({ 'ratelimit-remaining': '3', 'x-ratelimit-remaining': '4' })).toBe(3);
    expect(rateLimitRemaining({ 'x-ratelimit-remaining': 'n/a' })).toBeUndefined();
    expect(clamp(5, 1, 3)).toBe(3);
  });
});

describe('TokenBucket', () => {
  it('spends the burst, then says how long until the next token', () => {
    let now = 0;
    const bucket = new TokenBucket({ ratePerSecond: 10, burst: 2, now: () => now });
    expect(bucket.take()).toBe(0);
    expect(bucket.take()).toBe(0);
    expect(bucket.take()).toBe(100);
    now += 100;
    expect(bucket.take()).toBe(0);
  });
});

describe('idempotencyKeyFor', () => {
  it('is deterministic in connector and event id, and separates operations', () => {
    const id = '0190a0b0-0000-7000-8000-000000000001';
    expect(idempotencyKeyFor('payments', id)).toBe(idempotencyKeyFor('payments', id));
    expect(idempotencyKeyFor('payments', id)).not.toBe(idempotencyKeyFor('crm', id));
    expect(idempotencyKeyFor('payments', id, 'refund')).not.toBe(idempotencyKeyFor('payments', id));
  });
});
