import { VirtualClock } from './virtual-clock.js';

describe('VirtualClock', () => {
  it('ends a sleep at once, moving time to its end and recording its length', async () => {
    const clock = new VirtualClock(1_000);
    const realStart = Date.now();
    await clock.sleep(60_000);
    await clock.sleep(250);
    expect(clock.now()).toBe(61_250);
    expect(clock.sleeps).toEqual([60_000, 250]);
    expect(Date.now() - realStart).toBeLessThan(1_000);
  });

  it('starts at a whole second by default', () => {
    expect(new VirtualClock().now() % 1_000).toBe(0);
  });

  it('rejects a sleep with the reason of its signal, already aborted or aborted while it waits', async () => {
    const clock = new VirtualClock(0);
    const aborted = new AbortController();
    aborted.abort(new Error('stopping'));
    await expect(clock.sleep(100, aborted.signal)).rejects.toThrow('stopping');

    const later = new AbortController();
    let woken = false;
    await clock.concurrently(
      async () => {
        await expect(clock.sleep(1_000, later.signal)).rejects.toThrow('shutdown');
      },
      async () => {
        await clock.sleep(10);
        woken = true;
        later.abort(new Error('shutdown'));
      },
    );
    expect(woken).toBe(true);
    // The aborted sleep did not move time to its end.
    expect(clock.now()).toBe(10);
  });

  it('moves time for concurrent tasks only while all of them sleep, waking the earliest first', async () => {
    const clock = new VirtualClock(0);
    const log: string[] = [];
    const task = (name: string, waits: number[]) => async () => {
      for (const ms of waits) {
        await clock.sleep(ms);
        log.push(`${name}@${clock.now()}`);
      }
    };
    await clock.concurrently(
      task('a', [30, 30]),
      task('b', [50]),
      // Awake for a while (real I/O): time must not move meanwhile.
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        log.push(`c@${clock.now()}`);
        await clock.sleep(40);
        log.push(`c@${clock.now()}`);
      },
    );
    expect(log).toEqual(['c@0', 'a@30', 'c@40', 'b@50', 'a@60']);
    expect(clock.now()).toBe(60);
  });
});
