import { TributaryError } from '@tributary/contracts';
import { withInProcessRetry } from './in-process-retry.js';

const hooks = (overrides: Partial<Parameters<typeof withInProcessRetry>[2]> = {}) => ({
  shouldRetry: (error: unknown) => error instanceof TributaryError && error.retriable,
  onRetry: () => {},
  signal: new AbortController().signal,
  ...overrides,
});

describe('withInProcessRetry', () => {
  it('retries a retriable failure and returns the eventual success', async () => {
    let calls = 0;
    const delays: number[] = [];
    const result = await withInProcessRetry(
      async () => {
        calls += 1;
        if (calls < 3) throw new TributaryError('FLAKY', 'flaky', { retriable: true });
        return 'ok';
      },
      { maxRetries: 5, initialDelayMs: 4, maxDelayMs: 8, budgetMs: 5_000 },
      hooks({ onRetry: (_e, delay) => delays.push(delay) }),
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
    // Full jitter: each delay lies in [0, initial * 2^n), capped by maxDelay.
    expect(delays).toHaveLength(2);
    expect(delays[0]).toBeLessThan(4);
    expect(delays[1]).toBeLessThan(8);
  });

  it('does not retry what shouldRetry refuses', async () => {
    let calls = 0;
    await expect(
      withInProcessRetry(
        async () => {
          calls += 1;
          throw new TributaryError('BAD', 'bad input');
        },
        { maxRetries: 5, initialDelayMs: 1 },
        hooks(),
      ),
    ).rejects.toMatchObject({ code: 'BAD' });
    expect(calls).toBe(1);
  });

  it('gives up after maxRetries with the last error', async () => {
    let calls = 0;
    await expect(
      withInProcessRetry(
        async () => {
          calls += 1;
          throw new TributaryError('DOWN', `down ${calls}`, { retriable: true });
        },
        { maxRetries: 2, initialDelayMs: 1, maxDelayMs: 2 },
        hooks(),
      ),
    ).rejects.toThrow('down 3');
    expect(calls).toBe(3);
  });

  it('starts no retry after the time budget', async () => {
    let calls = 0;
    const started = Date.now();
    await expect(
      withInProcessRetry(
        async () => {
          calls += 1;
          // Each attempt outlasts the whole budget: the first failure already ends it.
          while (Date.now() - started < 30 * calls) await new Promise((r) => setImmediate(r));
          throw new TributaryError('SLOW', 'slow', { retriable: true });
        },
        { maxRetries: 100, initialDelayMs: 1, budgetMs: 20 },
        hooks(),
      ),
    ).rejects.toMatchObject({ code: 'SLOW' });
    expect(calls).toBe(1);
  });
});
