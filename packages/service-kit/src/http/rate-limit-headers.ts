import { z } from 'zod';

/**
 * What the API-key guard puts on every answer of a protected route (draft-ietf-httpapi-ratelimit-headers),
 * for a route's document: `responses[status].headers` and `problemHeaders: { 429: rateLimitedHeaders }`.
 */
export const rateLimitHeaders = z.object({
  RateLimit: z.string().describe('Requests left (r) and seconds (t) until the bucket is full again.'),
  'RateLimit-Policy': z.string().describe('Bucket size (q) and refill window in seconds (w).'),
});

/** A refusal also says when to come back; `t` of RateLimit is then the same wait. */
export const rateLimitedHeaders = rateLimitHeaders.extend({
  'Retry-After': z.int().describe('Seconds to wait.'),
});
