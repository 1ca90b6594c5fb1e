/**
 * Key-level concurrency inside one partition (docs/architecture.md#ordering-and-concurrency): records of
 * different keys run side by side, records of one key one after the other, in offset order.
 */
export class KeyLanes {
  readonly #tails = new Map<string, Promise<unknown>>();

  /** Runs `work` once every earlier record of `key` has finished (whether it succeeded or not). */
  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const next = previous.then(work, work);
    const tail = next.catch(() => undefined);
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return next;
  }

  /** Keys with a record running or waiting. */
  get size(): number {
    return this.#tails.size;
  }
}

/**
 * Which records of a batch are finished, in offset order. Offsets are committed only up to the first record
 * not finished, so a crash delivers again what ran after it (the inbox makes that a no-op) and never skips
 * a record that did not run.
 */
export class CompletionFrontier {
  readonly #offsets: readonly string[];
  readonly #done: boolean[];
  #next = 0;

  constructor(offsets: readonly string[]) {
    this.#offsets = offsets;
    this.#done = offsets.map(() => false);
  }

  finish(index: number): void {
    this.#done[index] = true;
  }

  /**
   * Moves past the finished prefix; returns the last record of it when it moved (commit the one after it),
   * undefined when it did not.
   */
  advance(): string | undefined {
    const from = this.#next;
    while (this.#next < this.#offsets.length && this.#done[this.#next]) this.#next += 1;
    return this.#next === from ? undefined : this.#offsets[this.#next - 1];
  }

  /** The first record not finished: where the partition is read again from after a hold. */
  get firstUnfinished(): string | undefined {
    return this.#offsets[this.#next];
  }
}

/**
 * At most `limit` holders at once, first come first served: records waiting behind one of their key hold
 * no slot, so a key that waits never stops the others.
 */
export class Slots {
  #free: number;
  readonly #waiting: Array<() => void> = [];

  constructor(limit: number) {
    this.#free = limit;
  }

  async acquire(): Promise<void> {
    if (this.#free > 0) {
      this.#free -= 1;
      return;
    }
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#free += 1;
  }
}

/** The lane of a record: its key, or, for a record without one, the record itself (no order to keep). */
export function laneOf(key: Buffer | null | undefined, offset: string): string {
  return key && key.length > 0 ? `k:${key.toString('base64')}` : `o:${offset}`;
}
