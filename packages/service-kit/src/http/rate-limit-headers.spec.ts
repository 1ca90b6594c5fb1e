import { KeyedRateLimiter } from '../rate-limit/keyed-rate-limiter.js';
import { rateLimitHeaders, rateLimitedHeaders } from './rate-limit-headers.js';

describe('rate-limit headers in the document', () => {
  it('name exactly the headers the limiter sends, on an answer and on a refusal', () => {
    const limiter = new KeyedRateLimiter('api-key', { ratePerSecond: 1, burst: 1 }, () => 0);
    const allowed = limiter.take('k');
    const refused = limiter.take('k');
    expect(refused.allowed).toBe(false);
    expect(Object.keys(limiter.headers(allowed)).sort()).toEqual(Object.keys(rateLimitHeaders.shape).sort());
    expect(Object.keys(limiter.headers(refused)).sort()).toEqual(
      Object.keys(rateLimitedHeaders.shape).sort(),
    );
  });
});
