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

  it('takes what is awaited first, with options or the timeout alone after the condition', async () => {
    let calls = 0;
    await expect(waitFor('the third call', () => ++calls >= 3 && calls, { intervalMs: 1 })).resolves.toBe(3);
    await expect(waitFor('a record', () => false, 20)).rejects.toThrow(
      'waitFor: a record not met within 20 ms',
    );
  });
});
