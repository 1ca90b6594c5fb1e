import { goalLine } from '../../goals.js';
import { RESULT_PREFIX, ingestionGoals, parseResultLine } from './figures.js';

describe('ingestion result line', () => {
  it('reads the ratio from the child’s BENCH_RESULT line and ignores every other line', () => {
    expect(parseResultLine(`${RESULT_PREFIX}{"ratio":0.714,"app":{}}`)).toEqual({ ratio: 0.714 });
    expect(parseResultLine('BENCH_RESULT {"ratio":null}')!.ratio).toBeNaN();
    expect(parseResultLine('ratio ingestion/bare 0.71; ingestion RSS 80 → 95 MiB')).toBeUndefined();
    expect(parseResultLine('BENCH_RESULT {not json')).toBeUndefined();
  });
});

describe('ingestion goals', () => {
  it('meets the goal from 0.6 of the bare server’s accepted/s on', () => {
    expect(ingestionGoals({ ratio: 0.714 }).map(goalLine)).toEqual([
      'goal ingestion accepted/s vs bare node+pg, closed loop: 0.71× (target ≥ 0.6×): MET',
    ]);
    expect(ingestionGoals({ ratio: 0.6 })[0]!.met).toBe(true);
    expect(ingestionGoals({ ratio: 0.599 })[0]!.met).toBe(false);
  });

  it('prints n/a and NOT MET when the child printed no result', () => {
    expect(ingestionGoals(undefined).map(goalLine)).toEqual([
      'goal ingestion accepted/s vs bare node+pg, closed loop: n/a (target ≥ 0.6×): NOT MET',
    ]);
    expect(ingestionGoals({ ratio: Number.NaN })[0]!.met).toBeUndefined();
  });
});
