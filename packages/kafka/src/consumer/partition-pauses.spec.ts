import { jest } from '@jest/globals';
import { PartitionPauses } from './partition-pauses.js';

describe('PartitionPauses', () => {
  afterEach(() => jest.useRealTimers());

  it('pauses once, and resumes only when the last reason is released', () => {
    const calls: string[] = [];
    const pauses = new PartitionPauses(
      (t, p) => calls.push(`pause ${t}/${p}`),
      (t, p) => calls.push(`resume ${t}/${p}`),
    );
    pauses.hold('a', 0, 'backpressure');
    pauses.hold('a', 0, 'retry_due');
    pauses.release('a', 0, 'retry_due');
    expect(pauses.isHeld('a', 0)).toBe(true);
    pauses.release('a', 0, 'backpressure');
    expect(pauses.isHeld('a', 0)).toBe(false);
    expect(calls).toEqual(['pause a/0', 'resume a/0']);
  });

  it('lists the held partitions, for a new consumer to hold them too', () => {
    const pauses = new PartitionPauses(
      () => {},
      () => {},
    );
    pauses.hold('orders.v1', 0, 'backpressure');
    pauses.hold('g.retry.5s', 3, 'retry_due');
    pauses.hold('g.retry.5s', 3, 'backpressure');
    pauses.hold('orders.v1', 2, 'rate_limited');
    pauses.release('orders.v1', 2, 'rate_limited');
    expect(pauses.held()).toEqual([
      { topic: 'orders.v1', partition: 0 },
      { topic: 'g.retry.5s', partition: 3 },
    ]);
  });

  it('resumes by timer, and a later hold of the same reason replaces the timer', () => {
    jest.useFakeTimers();
    const resumed: number[] = [];
    const pauses = new PartitionPauses(
      () => {},
      (_t, p) => resumed.push(p),
    );
    pauses.hold('a', 1, 'rate_limited', 1_000);
    pauses.hold('a', 1, 'rate_limited', 3_000);
    jest.advanceTimersByTime(2_000);
    expect(resumed).toEqual([]);
    jest.advanceTimersByTime(1_000);
    expect(resumed).toEqual([1]);
  });

  it('clears its timers on shutdown', () => {
    jest.useFakeTimers();
    const resumed: number[] = [];
    const pauses = new PartitionPauses(
      () => {},
      (_t, p) => resumed.push(p),
    );
    pauses.hold('a', 1, 'retry_due', 1_000);
    pauses.clear();
    jest.advanceTimersByTime(5_000);
    expect(resumed).toEqual([]);
  });
});
