/** What a timed phase hands to the report: how many events, how long, and one latency per event. */
export interface Figures {
  readonly events: number;
  readonly elapsedMs: number;
  /** Milliseconds, one per event, in no particular order. */
  readonly latenciesMs: Float64Array;
}

/** Fails a phase that stalls instead of letting the bench hang; the deadline scales with the work asked. */
export function deadlineMs(events: number): number {
  return 120_000 + events * 5;
}

/** A promise settled from outside, for "the last event was acknowledged" and the like. */
export function deferred<T = void>(): {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
} {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Rejects with `what` if `promise` has not settled within `ms`. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not finish within ${Math.round(ms / 1000)} s`)),
      ms,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
