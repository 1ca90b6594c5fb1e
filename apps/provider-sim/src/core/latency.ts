import { z } from 'zod';
import { standardNormal } from './random.js';
import type { Random } from './random.js';

/** The 99th percentile of the standard normal distribution. */
const Z99 = 2.326347874;

/**
 * Latency as providers show it, described by the two figures people quote: the median and the p99.
 * - `fixed`: always p50 (p99 ignored);
 * - `uniform`: flat between two bounds placed so that the median and p99 fall where asked;
 * - `normal`: mean p50, the spread that puts p99 where asked (negative draws count as 0);
 * - `lognormal`: the long right tail real APIs have; median p50, p99 as asked.
 */
export const latencySchema = z
  .object({
    distribution: z.enum(['fixed', 'uniform', 'normal', 'lognormal']),
    p50Ms: z.number().min(0),
    p99Ms: z.number().min(0).optional(),
  })
  .refine((latency) => latency.p99Ms === undefined || latency.p99Ms >= latency.p50Ms, {
    message: 'p99Ms must be at least p50Ms',
  })
  .refine((latency) => latency.distribution !== 'lognormal' || latency.p50Ms > 0, {
    message: 'a lognormal latency needs p50Ms above 0',
  });

export type Latency = z.infer<typeof latencySchema>;

/** One latency draw in milliseconds (never negative). */
export function sampleLatencyMs(latency: Latency, random: Random): number {
  const p50 = latency.p50Ms;
  const p99 = latency.p99Ms ?? p50;
  switch (latency.distribution) {
    case 'fixed':
      return p50;
    case 'uniform': {
      // Uniform on [p50 - h, p50 + h]: its p99 is p50 + 0.98 h.
      const half = (p99 - p50) / 0.98;
      return Math.max(0, p50 - half + random() * 2 * half);
    }
    case 'normal':
      return Math.max(0, p50 + ((p99 - p50) / Z99) * standardNormal(random));
    case 'lognormal': {
      const sigma = Math.log(p99 / p50) / Z99;
      return Math.exp(Math.log(p50) + sigma * standardNormal(random));
    }
  }
}
