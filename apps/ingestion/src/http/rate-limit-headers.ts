import { z } from 'zod';

/** On every answer of a rate-limited route (draft-ietf-httpapi-ratelimit-headers), for the document. */
export const rateLimitHeaders = z.object({
  RateLimit: z.string().describe('Requests left (r) and seconds (t) until the bucket is full again.'),
  'RateLimit-Policy': z.string().describe('Bucket size (q) and refill window in seconds (w).'),
});

/** A refusal also says when to come back; `t` of RateLimit is then the same wait. */
export const rateLimitedHeaders = rateLimitHeaders.extend({
  'Retry-After': z.int().describe('Seconds to wait.'),
});
