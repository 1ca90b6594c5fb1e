import { z } from 'zod';

/** On every answer of a rate-limited route (draft-ietf-httpapi-ratelimit-headers), for the document. */
export const rateLimitHeaders = z.object({
  RateLimit: z
    .string()
    .describe('Requests left (r) and seconds (t) until the bucket is full again, in this replica.'),
  // Buckets live in each process (docs/architecture.md#several-replicas): say so where clients read the limit.
  'RateLimit-Policy': z
    .string()
    .describe(
      'Bucket size (q) and refill window in seconds (w), per replica: with N replicas behind the load balancer, up to N × q requests are admitted per window.',
    ),
});

/** A refusal also says when to come back; `t` of RateLimit is then the same wait. */
export const rateLimitedHeaders = rateLimitHeaders.extend({
  'Retry-After': z.int().describe('Seconds to wait.'),
});
