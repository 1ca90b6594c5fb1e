import { waitFor } from './wait-for.js';

describe('waitFor', () => {
  it('resolves with the first truthy value of the condition', async () => {
    let calls = 0;
    const value = await waitFor(() => (++calls >= 3 ? { calls } : undefined), { intervalMs: 1 });
    expect(value).toEqual({ calls: 3 });
  });

  it('treats a throwing condition as not yet met', async () => {
    let calls = 0;
    const value = await waitFor(
      async () => {
        if (++calls < 3) throw new Error('still starting');
        return 'up';
      },
      { intervalMs: 1 },
    );
    expect(value).toBe('up');
  });

  it('fails after the deadline with the message and the last error', async () => {
    await expect(
      waitFor(
        () => {
          throw new Error('connection refused');
        },
        { timeoutMs: 30, intervalMs: 5, message: 'broker to answer' },
      ),
    ).rejects.toThrow('waitFor: broker to answer not met within 30 ms; last error: connection refused');
  });
});
