interface Timer {
  readonly at: number;
  readonly order: number;
  readonly wake: () => void;
}

/**
 * Time that the test moves instead of the wall clock, for code that takes a clock (`now()`,
 * `sleep(ms, signal)`): a wait of minutes takes no real time, and every wait asked for is recorded in
 * `sleeps`, so a test asserts exactly how long the code under test waited.
 *
 * A sleep ends at once, the clock jumping to its end. Inside `concurrently(...)` time moves only when every
 * unfinished task waits on this clock, and then to the earliest wake-up: the tasks interleave as they would
 * in real time, however long their real I/O takes. Each task sleeps once at a time, and whatever else it
 * waits for must end on its own, like a real HTTP answer: a task waiting for another, sleeping, task would
 * never wake.
 */
export class VirtualClock {
  #now: number;
  #order = 0;
  #timers: Timer[] = [];
  /** How many sleeping tasks it takes for time to move. */
  #tasks = 1;
  readonly #sleeps: number[] = [];

  /** Starts at `start` (epoch ms): by default 2025-01-01T00:00:00Z, a whole second. */
  constructor(start = Date.UTC(2025, 0, 1)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  /** Every sleep asked for, in milliseconds, in the order asked. */
  get sleeps(): readonly number[] {
    return this.#sleeps;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.#sleeps.push(ms);
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason as Error);
      const onAbort = () => {
        this.#timers = this.#timers.filter((t) => t !== timer);
        reject(signal!.reason as Error);
      };
      const timer: Timer = {
        at: this.#now + Math.max(0, ms),
        order: this.#order++,
        wake: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#timers.push(timer);
      this.#advanceWhileAllSleep();
    });
  }

  /**
   * Runs the tasks together, moving time only while all unfinished ones sleep. Resolves when all have
   * finished; rejects with the first failure.
   */
  async concurrently(...tasks: (() => Promise<unknown>)[]): Promise<void> {
    if (this.#tasks !== 1) throw new Error('VirtualClock: concurrently() does not nest');
    this.#tasks = tasks.length;
    try {
      await Promise.all(
        tasks.map(async (task) => {
          try {
            await task();
          } finally {
            this.#tasks -= 1;
            this.#advanceWhileAllSleep();
          }
        }),
      );
    } finally {
      this.#tasks = 1;
    }
  }

  #advanceWhileAllSleep(): void {
    while (this.#timers.length > 0 && this.#timers.length >= this.#tasks) this.#wake(this.#earliest()!);
  }

  #earliest(): Timer | undefined {
    let earliest: Timer | undefined;
    for (const timer of this.#timers) {
      if (!earliest || timer.at < earliest.at || (timer.at === earliest.at && timer.order < earliest.order))
        earliest = timer;
    }
    return earliest;
  }

  #wake(timer: Timer): void {
    this.#timers = this.#timers.filter((t) => t !== timer);
    this.#now = Math.max(this.#now, timer.at);
    timer.wake();
  }
}
