import { guardrailTripped, pageRetryDelayMs, throttledRetryDelayMs } from './run.js';

const guardrails = { maxRepairs: 10, maxMismatchRatio: 0.1, minComparedForRatio: 20 };

describe('guardrails', () => {
  it('trip on too many repairs or too high a mismatch ratio, judged only past a minimum sample', () => {
    expect(guardrailTripped({ compared: 100, mismatches: 5, repairsPending: 5 }, guardrails)).toBeUndefined();
    expect(guardrailTripped({ compared: 100, mismatches: 5, repairsPending: 11 }, guardrails)).toBe(
      '11 repairs exceed the limit of 10 a run',
    );
    expect(guardrailTripped({ compared: 100, mismatches: 11, repairsPending: 0 }, guardrails)).toBe(
      '11 of 100 compared records disagree (11 %), above 10 %',
    );
    expect(guardrailTripped({ compared: 5, mismatches: 5, repairsPending: 0 }, guardrails)).toBeUndefined();
  });
});

describe('page retries', () => {
  it('back off exponentially from a second up to the configured longest wait', () => {
    expect([1, 2, 3, 10].map((attempt) => pageRetryDelayMs(attempt, 60_000))).toEqual([
      1_000, 2_000, 4_000, 60_000,
    ]);
    expect(pageRetryDelayMs(3, 200)).toBe(200);
  });

  it('wait for a rate limit briefly at first, up to the configured longest wait', () => {
    expect([1, 2, 3, 6, 20].map((n) => throttledRetryDelayMs(n, 15_000))).toEqual([
      500, 1_000, 2_000, 15_000, 15_000,
    ]);
    expect(throttledRetryDelayMs(1, 200)).toBe(200);
  });
});
