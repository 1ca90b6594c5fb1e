import {
  clamp,
  rateLimitLimit,
  rateLimitRemaining,
  rateLimitResetMs,
  retryAfterMs,
} from './rate-limit-headers.js';
import { TokenBucket } from '@tributary/service-kit';
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

  it('reads the quota of the window under the names providers use', () => {
    expect(rateLimitLimit({ 'x-hubspot-ratelimit-max': '190' })).toBe(190);
    expect(rateLimitLimit({ 'x-ratelimit-limit': '5000' })).toBe(5000);
    expect(rateLimitLimit({ 'ratelimit-limit': '100', 'x-ratelimit-limit': '5000' })).toBe(100);
    expect(rateLimitLimit({ 'x-ratelimit-limit': 'n/a' })).toBeUndefined();
    expect(rateLimitLimit({ 'x-ratelimit-remaining': '4' })).toBeUndefined();
    // A connector's own names replace the defaults.
    expect(rateLimitLimit({ 'x-ratelimit-limit': '5000', 'x-acme-quota': '60' }, ['x-acme-quota'])).toBe(60);
    expect(rateLimitLimit({ 'x-ratelimit-limit': '5000' }, ['x-acme-quota'])).toBeUndefined();
  });

  it('takes the current limit from the IETF draft list of policies', () => {
    expect(rateLimitLimit({ 'ratelimit-limit': '100, 100;w=60, 1000;w=3600' })).toBe(100);
    expect(rateLimitLimit({ 'ratelimit-limit': ' 10;w=1' })).toBe(10);
    // Not an integer first: another draft's syntax, or garbage; the next name is tried.
    expect(rateLimitLimit({ 'ratelimit-limit': 'limit=100', 'x-ratelimit-limit': '50' })).toBe(50);
    expect(rateLimitLimit({ 'ratelimit-limit': '1.5' })).toBeUndefined();
    expect(rateLimitLimit({ 'ratelimit-limit': ['60', '70'] })).toBe(60);
  });

  it('reads the window reset as delta-seconds, or as a Unix time (GitHub)', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(rateLimitResetMs({ 'ratelimit-reset': '7' }, now)).toBe(7_000);
    expect(rateLimitResetMs({ 'x-ratelimit-reset': String(now / 1000 + 42) }, now)).toBe(42_000);
    expect(rateLimitResetMs({ 'x-ratelimit-reset': String(now / 1000 - 5) }, now)).toBe(0);
    expect(rateLimitResetMs({ 'ratelimit-reset': 'soon' }, now)).toBeUndefined();
    expect(rateLimitResetMs({}, now)).toBeUndefined();
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

  it('queues reservations in order, and reserves nothing beyond the longest wait', () => {
    let now = 0;
    const bucket = new TokenBucket({ ratePerSecond: 10, burst: 1, now: () => now });
    expect(bucket.reserve(1_000)).toEqual({ waitMs: 0, reserved: true });
    expect(bucket.reserve(1_000)).toEqual({ waitMs: 100, reserved: true });
    expect(bucket.reserve(1_000)).toEqual({ waitMs: 200, reserved: true });
    expect(bucket.reserve(250)).toEqual({ waitMs: 300, reserved: false });
    now += 300;
    expect(bucket.reserve(1_000)).toEqual({ waitMs: 0, reserved: true }); // the refused one took nothing
  });

  it('changes rate and burst in place, and empties saved and owed tokens alike', () => {
    let now = 0;
    const bucket = new TokenBucket({ ratePerSecond: 100, burst: 100, now: () => now });
    bucket.configure(10, 2);
    expect([bucket.ratePerSecond, bucket.burst]).toEqual([10, 2]);
    expect([bucket.take(), bucket.take(), bucket.take()]).toEqual([0, 0, 100]);
    bucket.reserve(1_000);
    bucket.reserve(1_000); // 2 owed
    bucket.empty();
    expect(bucket.reserve(1_000)).toEqual({ waitMs: 100, reserved: true });
    now += 100;
    expect(bucket.reserve(1_000)).toEqual({ waitMs: 100, reserved: true });
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
