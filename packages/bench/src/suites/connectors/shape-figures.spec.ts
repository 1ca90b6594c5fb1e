import { goalLine } from '../../goals.js';
import { phaseFigures } from './figures.js';
import {
  detectionOrder,
  detectionThroughput,
  detectionThroughputGoal,
  median,
  samplingCostGoal,
} from './shape-figures.js';
import type { Detection, DetectionRound } from './shape-figures.js';

/** A round that committed 100 events at `perSecond`, all published at 0. */
function round(detection: Detection, perSecond: number): DetectionRound {
  const gapMs = 1000 / perSecond;
  const timings = Array.from({ length: 100 }, (_, i) => ({
    publishedAt: 0,
    committedAt: (i + 1) * gapMs,
    outcomePublishedAt: (i + 1) * gapMs + 5,
  }));
  return {
    detection,
    outcome: {
      value: {
        phase: phaseFigures(100, timings),
        sim: { requests: 100, throttled: 0, effects: 100, doubleEffects: 0 },
      },
    },
  };
}

const cost = { bodyBytes: 1877, rounds: 15, parseMicros: 10, newShapeMicros: 150 };

describe('shape detection figures', () => {
  it('alternates on and off so that each side has the same mean position in the run', () => {
    expect(detectionOrder(2)).toEqual(['on', 'off', 'off', 'on']);
    const order = detectionOrder(4);
    const meanPosition = (side: Detection) => {
      const positions = order.flatMap((detection, index) => (detection === side ? [index] : []));
      return positions.reduce((sum, index) => sum + index, 0) / positions.length;
    };
    expect(order).toHaveLength(8);
    expect(meanPosition('on')).toBe(meanPosition('off'));
  });

  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it("compares the means of each side's rounds", () => {
    const figures = detectionThroughput([
      round('on', 900),
      round('off', 1_000),
      round('off', 1_100),
      round('on', 1_000),
    ]);
    expect(figures.on).toBeCloseTo(950, 6);
    expect(figures.off).toBeCloseTo(1_050, 6);
    expect(figures.ratio).toBeCloseTo(950 / 1_050, 6);
  });

  it('has no ratio when a round was not measured or a side has no round', () => {
    const failed: DetectionRound = { detection: 'off', outcome: { error: 'connector did not start' } };
    expect(
      detectionThroughput([round('on', 900), failed, round('off', 1_000), round('on', 900)]).ratio,
    ).toBeNaN();
    expect(detectionThroughput([round('on', 900)]).ratio).toBeNaN();
  });

  it('meets the throughput goal at 0.95 of the connector without detection, not below', () => {
    expect(goalLine(detectionThroughputGoal([round('on', 960), round('off', 1_000)]))).toBe(
      'goal shape detection overhead on connector throughput, on ÷ off: 0.96× (on 960/s, off 1,000/s) (target ≥ 0.95×): MET',
    );
    expect(detectionThroughputGoal([round('on', 940), round('off', 1_000)]).met).toBe(false);
    expect(goalLine(detectionThroughputGoal([]))).toBe(
      'goal shape detection overhead on connector throughput, on ÷ off: n/a (target ≥ 0.95×): NOT MET',
    );
  });

  it('meets the cost goal when a known shape costs at most half of parsing the same body', () => {
    expect(goalLine(samplingCostGoal({ ...cost, cachedMicros: 5 }))).toBe(
      'goal shape sampling cost per cached answer: 5.00 µs = 0.50× JSON.parse of the same 1877-byte body (10.0 µs) (target ≤ 0.50× JSON.parse): MET',
    );
    expect(samplingCostGoal({ ...cost, cachedMicros: 42 }).met).toBe(false);
    expect(samplingCostGoal({ ...cost, cachedMicros: 3, parseMicros: Number.NaN }).met).toBeUndefined();
    expect(goalLine(samplingCostGoal(undefined))).toBe(
      'goal shape sampling cost per cached answer: n/a (target ≤ 0.50× JSON.parse): NOT MET',
    );
  });
});
