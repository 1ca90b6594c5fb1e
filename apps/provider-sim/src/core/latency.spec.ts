import { FaultTable, faultSchema } from './faults.js';
import { latencySchema, sampleLatencyMs } from './latency.js';
import type { Latency } from './latency.js';
import { seededRandom } from './random.js';

/** The empirical quantile of sorted samples. */
const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

function percentiles(latency: Latency, n = 50_000) {
  // A fixed seed: the same draws every run, so these statistical bounds can never flake.
  const random = seededRandom(20240611);
  const samples = Array.from({ length: n }, () => sampleLatencyMs(latency, random)).sort((a, b) => a - b);
  return { p50: quantile(samples, 0.5), p99: quantile(samples, 0.99), min: samples[0]! };
}

describe('latency distributions', () => {
  it.each([
    { distribution: 'uniform', p50Ms: 100, p99Ms: 150 },
    { distribution: 'normal', p50Ms: 100, p99Ms: 150 },
    { distribution: 'lognormal', p50Ms: 20, p99Ms: 200 },
  ] as const)('$distribution puts the median and p99 where asked', (latency) => {
    const { p50, p99, min } = percentiles(latency);
    expect(Math.abs(p50 - latency.p50Ms) / latency.p50Ms).toBeLessThan(0.02);
    expect(Math.abs(p99 - latency.p99Ms) / latency.p99Ms).toBeLessThan(0.03);
    expect(min).toBeGreaterThanOrEqual(0);
  });

  it('fixed is always p50', () => {
    expect(percentiles({ distribution: 'fixed', p50Ms: 20 }, 100)).toEqual({ p50: 20, p99: 20, min: 20 });
  });

  it('never draws below 0 when the spread is wide', () => {
    expect(percentiles({ distribution: 'normal', p50Ms: 5, p99Ms: 100 }).min).toBe(0);
  });

  it('refuses a p99 below the median and a lognormal without a median', () => {
    expect(latencySchema.safeParse({ distribution: 'normal', p50Ms: 10, p99Ms: 5 }).success).toBe(false);
    expect(latencySchema.safeParse({ distribution: 'lognormal', p50Ms: 0, p99Ms: 5 }).success).toBe(false);
  });

  it('is drawn per request from a fault, the older fixed latencyMs still honoured', () => {
    const faults = new FaultTable(seededRandom(7));
    faults.set(
      faultSchema.parse({
        route: 'POST /a',
        latencyMs: 0,
        latency: { distribution: 'uniform', p50Ms: 50, p99Ms: 90 },
      }),
    );
    faults.set(faultSchema.parse({ route: 'POST /b', latencyMs: 20 }));
    const draws = new Set(Array.from({ length: 10 }, () => faults.latencyMs('POST /a')));
    expect(draws.size).toBe(10);
    expect(faults.latencyMs('POST /b')).toBe(20);
    expect(faults.latencyMs('POST /c')).toBe(0);
  });
});
