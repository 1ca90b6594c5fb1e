import { groupStateOf, stateSeries } from './group-state.js';

describe('groupStateOf', () => {
  it("keeps Kafka's state names", () => {
    for (const state of ['Stable', 'PreparingRebalance', 'CompletingRebalance', 'Empty', 'Dead', 'Unknown']) {
      expect(groupStateOf(state)).toBe(state);
    }
  });

  it("reads older brokers' AwaitingSync as CompletingRebalance", () => {
    expect(groupStateOf('AwaitingSync')).toBe('CompletingRebalance');
  });

  it('answers Unknown for anything else, so the label stays within the documented set', () => {
    expect(groupStateOf(undefined)).toBe('Unknown');
    expect(groupStateOf('')).toBe('Unknown');
    expect(groupStateOf('Assigning')).toBe('Unknown');
  });
});

describe('stateSeries', () => {
  it('gives 1 to the current state and 0 to every other one', () => {
    const series = stateSeries('Empty');
    expect(series).toHaveLength(6);
    expect(series.filter(([, v]) => v === 1)).toEqual([['Empty', 1]]);
    expect(series.map(([s]) => s)).toEqual(
      expect.arrayContaining(['Stable', 'PreparingRebalance', 'CompletingRebalance', 'Dead', 'Unknown']),
    );
  });
});
