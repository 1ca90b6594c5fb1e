import { goalLine } from '../../goals.js';
import { exactlyOnceGoal, phaseFigures, throttleGoal, throttleGoalMet } from './figures.js';
import type { EventTiming } from './figures.js';
import { renderConnectorsReport } from './report.js';

/** n events published at 0, committed one every `gapMs`, outcomes 5 ms later. */
function timings(n: number, gapMs: number): EventTiming[] {
  return Array.from({ length: n }, (_, i) => ({
    publishedAt: 0,
    committedAt: (i + 1) * gapMs,
    outcomePublishedAt: (i + 1) * gapMs + 5,
  }));
}

/** A measured (b)-like phase: 100 events, one committed every `gapMs`. */
function atRate(gapMs: number) {
  return {
    value: {
      phase: phaseFigures(100, timings(100, gapMs)),
      sim: { requests: 100, throttled: 0, effects: 100, doubleEffects: 0 },
    },
  };
}

describe('connectors figures', () => {
  it('rates committed events over publish → last commit, and the steady rate between p10 and p90', () => {
    const figures = phaseFigures(100, timings(100, 20));
    expect(figures.committed).toBe(100);
    expect(figures.perSecond).toBeCloseTo(50, 5);
    expect(figures.steadyPerSecond).toBeCloseTo(50, 5);
    expect(figures.committedLatency.p50).toBe(1000);
    expect(figures.outcomeLatency.p99).toBe(99 * 20 + 5);
  });

  it('leaves a first burst out of the steady rate', () => {
    // As in a throttled phase: one second's worth at once (a full bucket, 5 % of the events), then the limit.
    const burst = Array.from({ length: 10 }, () => ({
      publishedAt: 0,
      committedAt: 1,
      outcomePublishedAt: 2,
    }));
    const figures = phaseFigures(210, [...burst, ...timings(200, 20)]);
    expect(figures.steadyPerSecond).toBeCloseTo(50, 0);
    expect(figures.perSecond).toBeCloseTo(52.5, 5);
  });

  it("starts the steady window at the provider's first 429 when that comes after the 10th percentile", () => {
    // Paced at 25/s for 4 s (100 commits), then the provider's saved bucket (50) at once, then 50/s.
    const ramp = timings(100, 40);
    const bucket = Array.from({ length: 50 }, () => ({
      publishedAt: 0,
      committedAt: 4_001,
      outcomePublishedAt: 4_002,
    }));
    const limit = timings(850, 20).map((t) => ({
      ...t,
      committedAt: t.committedAt + 4_001,
      outcomePublishedAt: NaN,
    }));
    const all = [...ramp, ...bucket, ...limit];
    expect(phaseFigures(1_000, all).steadyPerSecond).toBeGreaterThan(50); // the bucket counted as sustained
    expect(phaseFigures(1_000, all, { steadyFrom: 4_010 }).steadyPerSecond).toBeCloseTo(50, 0);
    // A 429 after half the commits, or none: the 10th percentile.
    expect(phaseFigures(1_000, all, { steadyFrom: 15_000 }).steadyPerSecond).toBe(
      phaseFigures(1_000, all).steadyPerSecond,
    );
  });

  it('meets the throttle goal within 5 % of N only', () => {
    expect(throttleGoalMet(48, 50)).toBe(true);
    expect(throttleGoalMet(40, 50)).toBe(false);
    expect(throttleGoalMet(Number.NaN, 50)).toBeUndefined();
    expect(goalLine(throttleGoal(50, 48.7))).toBe(
      'goal steady effects/s at simulator limit N=50: 48.7/s = 0.97 N (target within 5 % of N): MET',
    );
    expect(goalLine(throttleGoal(200, 150))).toBe(
      'goal steady effects/s at simulator limit N=200: 150.0/s = 0.75 N (target within 5 % of N): NOT MET',
    );
    expect(goalLine(throttleGoal(200, Number.NaN))).toBe(
      'goal steady effects/s at simulator limit N=200: n/a (target within 5 % of N): NOT MET',
    );
  });

  it('meets the exactly-once goal only when every phase was measured and none had a key with two effects', () => {
    const sim = (doubleEffects: number) => ({ requests: 10, throttled: 0, effects: 10, doubleEffects });
    expect(goalLine(exactlyOnceGoal([sim(0), sim(0)]))).toBe(
      'goal keys with more than one effect, every phase: 0 (target 0): MET',
    );
    expect(exactlyOnceGoal([sim(0), sim(2)]).met).toBe(false);
    expect(goalLine(exactlyOnceGoal([sim(0), undefined]))).toBe(
      'goal keys with more than one effect, every phase: 0 (1 of 2 phases measured) (target 0): NOT MET',
    );
    expect(goalLine(exactlyOnceGoal([undefined]))).toBe(
      'goal keys with more than one effect, every phase: n/a (target 0): NOT MET',
    );
  });

  it('says when a limit is above what the connector reaches at all', () => {
    const slow = {
      phase: phaseFigures(100, timings(100, 10)),
      sim: { requests: 100, throttled: 0, effects: 100, doubleEffects: 0 },
    };
    const text = renderConnectorsReport({
      run: 'r',
      latencyMs: 20,
      clientLimit: '1000/s',
      busy: [],
      keyConcurrency: { before: 1, after: 8 },
      partitionBound: { value: slow },
      burst: { value: slow },
      paced: { error: 'skipped' },
      unthrottled: { value: slow },
      throttled: [{ limit: 200, outcome: { value: slow } }],
      shapeDetection: { cost: { error: 'skipped' }, warmupEvents: 200, rounds: [] },
      cleanupProblems: [],
    });
    expect(text).toContain(
      'the limit did not bind: unthrottled the connector reaches 100/s here and the simulator refused nothing',
    );
    expect(text).toContain('no other test run seen');
  });

  it('prints every phase, the throttle ratios, and says when the machine was busy', () => {
    const measured = {
      value: {
        phase: phaseFigures(100, timings(100, 20)),
        sim: { requests: 130, throttled: 30, effects: 100, doubleEffects: 0 },
      },
    };
    const text = renderConnectorsReport({
      run: 'bench.connectors-x',
      latencyMs: 20,
      clientLimit: '1000/s',
      busy: ['123'],
      keyConcurrency: { before: 1, after: 8 },
      partitionBound: {
        value: {
          phase: phaseFigures(100, timings(100, 100)),
          sim: { requests: 100, throttled: 0, effects: 100, doubleEffects: 0 },
        },
      },
      burst: measured,
      paced: { error: 'stack gone' },
      unthrottled: {
        value: {
          phase: phaseFigures(100, timings(100, 5)),
          sim: { requests: 100, throttled: 0, effects: 100, doubleEffects: 0 },
        },
      },
      throttled: [
        { limit: 50, outcome: measured, pacing: { rateAtEnd: 48.4, heldCalls: 900 } },
        { limit: 200, outcome: { error: 'timeout' } },
      ],
      shapeDetection: {
        cost: {
          value: { bodyBytes: 1877, rounds: 15, parseMicros: 12, cachedMicros: 4.5, newShapeMicros: 180 },
        },
        warmupEvents: 200,
        rounds: [
          { detection: 'on', outcome: atRate(5) },
          { detection: 'off', outcome: atRate(4) },
          { detection: 'off', outcome: { error: 'connector did not start' } },
          { detection: 'on', outcome: atRate(5) },
        ],
      },
      cleanupProblems: [],
    });
    expect(text).toContain('(a) burst, sim 20 ms, key concurrency 1');
    expect(text).toContain('(a) burst, sim 20 ms, key concurrency 8');
    expect(text).toContain('runs with 8: 5.00× the events/s of the partition-bound burst');
    expect(text).toContain('not measured: stack gone');
    expect(text).toMatch(/N=50: steady 50\/s = 1\.00× N .* 30 × 429 of 130 requests \(23%\)$/m);
    expect(text).not.toContain('— goal');
    expect(text).toContain('client pacing: 48/s at the end (0.97× N), 900 calls waited for a slot');
    expect(text).toContain('steady window 0.2–1.8 s after the first publish (from p10 to p90)');
    expect(text).toContain('N=200: not measured');
    expect(text).toContain('(b) no latency, no throttle');
    expect(text).not.toContain('did not bind');
    expect(text).toContain('BUSY');
    expect(text).toContain('(c) round 2, PROVIDER_SHAPES=off');
    expect(text).toContain('in the order on, off, off, on, after 200 warm-up events');
    expect(text).toContain(
      'JSON.parse 12.0 µs; observe(), known shape 4.50 µs (0.38× JSON.parse); observe(), new shape 180 µs',
    );
    expect(text.split('\n').slice(-6)).toEqual([
      'goal events/s end to end, 20 ms provider, key concurrency 8: 50/s (5.00× the partition-bound 10/s) (target ≥ 1,000/s): NOT MET',
      'goal steady effects/s at simulator limit N=50: 50.0/s = 1.00 N (target within 5 % of N): MET',
      'goal steady effects/s at simulator limit N=200: n/a (target within 5 % of N): NOT MET',
      'goal keys with more than one effect, every phase: 0 (7 of 10 phases measured) (target 0): NOT MET',
      'goal shape detection overhead on connector throughput, on ÷ off: n/a (target ≥ 0.95×): NOT MET',
      'goal shape sampling cost per cached answer: 4.50 µs = 0.38× JSON.parse of the same 1877-byte body (12.0 µs) (target ≤ 0.50× JSON.parse): MET',
    ]);
  });
});
