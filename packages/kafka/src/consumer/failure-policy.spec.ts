import { decideOnFailure, pauseUntilDue } from './failure-policy.js';
import type { FailureContext } from './failure-policy.js';
import { retryTiersFor } from './retry-topics.js';

const tiers = retryTiersFor('g', ['1s', '2s']);
const context = (overrides: Partial<FailureContext>): FailureContext => ({
  classification: { code: 'X', retriable: true },
  topic: 'orders.v1',
  tiers,
  dlqTopic: 'g.dlq',
  now: 1_000_000,
  rateLimitPause: { minMs: 1_000, maxMs: 60_000 },
  ...overrides,
});

describe('decideOnFailure', () => {
  it('sends a retriable failure on the original topic to the first tier, due after its delay', () => {
    expect(decideOnFailure(context({}))).toEqual({ kind: 'retry', topic: 'g.retry.1s', dueAt: 1_001_000 });
  });

  it('moves a tier failure to the next tier, and the last tier to the DLQ', () => {
    expect(decideOnFailure(context({ topic: 'g.retry.1s' }))).toEqual({
      kind: 'retry',
      topic: 'g.retry.2s',
      dueAt: 1_002_000,
    });
    expect(decideOnFailure(context({ topic: 'g.retry.2s' }))).toEqual({
      kind: 'dead-letter',
      topic: 'g.dlq',
    });
  });

  it('dead-letters a non-retriable failure at once, wherever it is', () => {
    const classification = { code: 'VALIDATION', retriable: false };
    expect(decideOnFailure(context({ classification }))).toEqual({ kind: 'dead-letter', topic: 'g.dlq' });
    expect(decideOnFailure(context({ classification, topic: 'g.retry.1s' }))).toEqual({
      kind: 'dead-letter',
      topic: 'g.dlq',
    });
  });

  it('dead-letters retriable failures when the group has no tiers', () => {
    expect(decideOnFailure(context({ tiers: [] }))).toEqual({ kind: 'dead-letter', topic: 'g.dlq' });
  });

  it('pauses for a rate limit, clamped to the configured bounds', () => {
    const limited = (retryAfterMs: number) =>
      decideOnFailure(context({ classification: { code: 'RATE_LIMITED', retriable: true, retryAfterMs } }));
    expect(limited(5_000)).toEqual({ kind: 'pause', pauseMs: 5_000 });
    expect(limited(10)).toEqual({ kind: 'pause', pauseMs: 1_000 });
    expect(limited(86_400_000)).toEqual({ kind: 'pause', pauseMs: 60_000 });
  });
});

describe('pauseUntilDue', () => {
  it('is 0 when due or when no due time is known', () => {
    expect(pauseUntilDue(undefined, 100, 5_000)).toBe(0);
    expect(pauseUntilDue(100, 100, 5_000)).toBe(0);
    expect(pauseUntilDue(50, 100, 5_000)).toBe(0);
  });

  it('waits until due, never longer than the tier delay', () => {
    expect(pauseUntilDue(1_100, 100, 5_000)).toBe(1_000);
    expect(pauseUntilDue(10_000_000, 100, 5_000)).toBe(5_000);
  });
});
