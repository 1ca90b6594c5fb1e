import { LagEstimator, OffsetTimeline } from './lag-estimator.js';

const s = (seconds: number) => seconds * 1000;

describe('LagEstimator', () => {
  it('reports NaN, not 0, when the group has committed nothing', () => {
    const estimator = new LagEstimator();
    estimator.observeLatestOffset('t', 0, 50, s(0));

    expect(estimator.estimate('t', 0, null, s(5))).toEqual({ lag: NaN, lagSeconds: NaN });
    expect(estimator.estimate('t', 0, -1, s(5))).toEqual({ lag: NaN, lagSeconds: NaN });
  });

  it('reports NaN while the log end of the partition is unknown', () => {
    expect(new LagEstimator().estimate('t', 0, 10, s(5))).toEqual({ lag: NaN, lagSeconds: NaN });
  });

  it('reports zero lag for a group that has caught up', () => {
    const estimator = new LagEstimator();
    estimator.observeLatestOffset('t', 0, 0, s(0));
    estimator.observeLatestOffset('t', 0, 100, s(10));

    expect(estimator.estimate('t', 0, 100, s(30))).toEqual({ lag: 0, lagSeconds: 0 });
  });

  it('interpolates when the log end reached the committed offset between two samples', () => {
    const estimator = new LagEstimator();
    estimator.observeLatestOffset('t', 0, 0, s(0));
    estimator.observeLatestOffset('t', 0, 100, s(10));
    estimator.observeLatestOffset('t', 0, 300, s(20));

    // Offset 200 lies halfway between (100, 10 s) and (300, 20 s): reached at 15 s.
    expect(estimator.estimate('t', 0, 200, s(25))).toEqual({ lag: 100, lagSeconds: 10 });
    // Exactly on a sample.
    expect(estimator.estimate('t', 0, 100, s(25))).toEqual({ lag: 200, lagSeconds: 15 });
  });

  it('extrapolates along the table rate when the committed offset is older than the table', () => {
    const estimator = new LagEstimator();
    estimator.observeLatestOffset('t', 0, 1000, s(100));
    estimator.observeLatestOffset('t', 0, 1100, s(110)); // 10 records/s

    // 500 records before the oldest sample: ~50 s before it.
    expect(estimator.estimate('t', 0, 500, s(110))).toEqual({ lag: 600, lagSeconds: 60 });
  });

  it('keeps the lag of a stuck group on an idle topic growing instead of hiding it', () => {
    const estimator = new LagEstimator();
    for (let t = 0; t <= 600; t += 15) estimator.observeLatestOffset('t', 0, 40, s(t));

    // Nothing was produced in the window, so the best bound is "older than the first sample".
    expect(estimator.estimate('t', 0, 30, s(600))).toEqual({ lag: 10, lagSeconds: 600 });
    expect(estimator.estimate('t', 0, 30, s(900)).lagSeconds).toBe(900);
  });

  it('uses the end of an idle stretch when production resumes after it', () => {
    const estimator = new LagEstimator();
    estimator.observeLatestOffset('t', 0, 100, s(0));
    estimator.observeLatestOffset('t', 0, 100, s(50));
    estimator.observeLatestOffset('t', 0, 100, s(100));
    estimator.observeLatestOffset('t', 0, 200, s(110));

    // Record 150 was produced between 100 s and 110 s, not during the idle stretch from 0 s.
    expect(estimator.estimate('t', 0, 150, s(110))).toEqual({ lag: 50, lagSeconds: 5 });
  });

  it('keeps partitions apart', () => {
    const estimator = new LagEstimator();
    estimator.observeLatestOffset('t', 0, 10, s(0));
    estimator.observeLatestOffset('t', 1, 99, s(0));
    estimator.observeLatestOffset('u', 0, 5, s(0));

    expect(estimator.latestOffset('t', 0)).toBe(10);
    expect(estimator.latestOffset('t', 1)).toBe(99);
    expect(estimator.latestOffset('u', 0)).toBe(5);
  });

  it('forgets partitions that are no longer live', () => {
    const estimator = new LagEstimator();
    estimator.observeLatestOffset('t', 0, 10, s(0));
    estimator.observeLatestOffset('gone', 0, 10, s(0));
    estimator.retainOnly([{ topic: 't', partition: 0 }]);

    expect(estimator.latestOffset('t', 0)).toBe(10);
    expect(estimator.latestOffset('gone', 0)).toBeUndefined();
  });
});

describe('OffsetTimeline', () => {
  it('collapses a run of equal offsets to its first and last sample', () => {
    const timeline = new OffsetTimeline(10);
    for (let t = 0; t < 100; t++) timeline.add(7, s(t));

    expect(timeline.size).toBe(2);
    expect(timeline.reachedAtMs(7)).toBe(s(99));
  });

  it('is bounded, dropping the oldest samples', () => {
    const timeline = new OffsetTimeline(3);
    for (let t = 1; t <= 5; t++) timeline.add(t * 10, s(t));

    expect(timeline.size).toBe(3);
    // Oldest kept sample is (30, 3 s); 20 is extrapolated at 10 records/s.
    expect(timeline.reachedAtMs(20)).toBe(s(2));
  });

  it('starts over when the log end goes backwards (topic recreated)', () => {
    const timeline = new OffsetTimeline(10);
    timeline.add(500, s(0));
    timeline.add(600, s(10));
    timeline.add(5, s(20));

    expect(timeline.size).toBe(1);
    expect(timeline.latest).toEqual({ offset: 5, timeMs: s(20) });
  });

  it('ignores samples that do not move forward in time', () => {
    const timeline = new OffsetTimeline(10);
    timeline.add(10, s(10));
    timeline.add(20, s(10));
    timeline.add(30, s(5));

    expect(timeline.latest).toEqual({ offset: 10, timeMs: s(10) });
  });
});
