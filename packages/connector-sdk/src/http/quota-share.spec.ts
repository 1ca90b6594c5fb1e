import { IDLE_REPLICA_MAX_REQUESTS_PER_SECOND, quotaShareOf } from './quota-share.js';

describe('quotaShareOf', () => {
  it('is the partitions assigned over all of them, so the replicas of a group add up to the whole', () => {
    // Six partitions over two, then three, then four replicas (the range assignor's split of four: 2,2,1,1).
    expect([3, 3].map((assigned) => quotaShareOf({ assigned, total: 6 }, 20))).toEqual([0.5, 0.5]);
    const thirds = [2, 2, 2].map((assigned) => quotaShareOf({ assigned, total: 6 }, 20));
    expect(thirds.reduce((a, b) => a + b)).toBeCloseTo(1, 12);
    const uneven = [2, 2, 1, 1].map((assigned) => quotaShareOf({ assigned, total: 6 }, 20));
    expect(uneven).toEqual([2 / 6, 2 / 6, 1 / 6, 1 / 6]);
    expect(quotaShareOf({ assigned: 6, total: 6 }, 20)).toBe(1);
  });

  it('leaves a replica without partitions a floor: one partition, at most 1 request/s of the quota', () => {
    expect(IDLE_REPLICA_MAX_REQUESTS_PER_SECOND).toBe(1);
    // 20/s over 6 partitions: one partition would be 3.3/s, the floor is 1/s.
    expect(quotaShareOf({ assigned: 0, total: 6 }, 20) * 20).toBeCloseTo(1, 12);
    // 3/s over 6: one partition is 0.5/s, below the floor's cap.
    expect(quotaShareOf({ assigned: 0, total: 6 }, 3)).toBeCloseTo(1 / 6, 12);
    // No configured limit to cap: one partition's share (of a rate learned from 429s).
    expect(quotaShareOf({ assigned: 0, total: 6 })).toBeCloseTo(1 / 6, 12);
  });

  it('keeps only the idle floor while nothing is assigned and no partition count is known', () => {
    // Taking the whole quota here would let every replica that could not read the counts spend all of it.
    expect(quotaShareOf({ assigned: 0, total: 0 }, 20)).toBe(1 / 20);
  });
});
