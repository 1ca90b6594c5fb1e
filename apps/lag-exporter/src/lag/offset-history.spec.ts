import { LagEstimator } from '@tributary/observability';
import { restoreHistory } from './offset-history.js';

const s = (seconds: number) => seconds * 1000;

describe('restoreHistory', () => {
  it('rebuilds the estimate a stopped group had before the restart, and it keeps growing', () => {
    const estimator = new LagEstimator();
    // Log end 50 since 0 s (seen up to 120 s); the group committed 20 before that.
    restoreHistory(estimator, [
      { topic: 't', partition: 0, offset: 50, firstSeenMs: s(0), lastSeenMs: s(120) },
    ]);
    estimator.observeLatestOffset('t', 0, 50, s(125));

    expect(estimator.estimate('t', 0, 20, s(125))).toEqual({ lag: 30, lagSeconds: 125 });
    expect(estimator.estimate('t', 0, 20, s(200)).lagSeconds).toBe(200);
  });

  it('orders runs by time, whatever order the store answers in, and interpolates between them', () => {
    const estimator = new LagEstimator();
    const partitions = restoreHistory(estimator, [
      { topic: 't', partition: 0, offset: 300, firstSeenMs: s(20), lastSeenMs: s(20) },
      { topic: 'u', partition: 1, offset: 5, firstSeenMs: s(0), lastSeenMs: s(20) },
      { topic: 't', partition: 0, offset: 100, firstSeenMs: s(0), lastSeenMs: s(10) },
    ]);

    expect(partitions).toBe(2);
    // 200 lies halfway between (100, 10 s) and (300, 20 s).
    expect(estimator.estimate('t', 0, 200, s(25))).toEqual({ lag: 100, lagSeconds: 10 });
    expect(estimator.latestOffset('u', 1)).toBe(5);
  });

  it('starts a recreated topic over: runs before its offsets went back describe another log', () => {
    const estimator = new LagEstimator();
    restoreHistory(estimator, [
      { topic: 't', partition: 0, offset: 900, firstSeenMs: s(0), lastSeenMs: s(10) },
      { topic: 't', partition: 0, offset: 3, firstSeenMs: s(20), lastSeenMs: s(30) },
    ]);

    expect(estimator.latestOffset('t', 0)).toBe(3);
    expect(estimator.estimate('t', 0, 1, s(30))).toEqual({ lag: 2, lagSeconds: 10 });
  });
});
