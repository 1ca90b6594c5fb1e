export interface WaitForOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** What was awaited, for the timeout error. */
  message?: string;
}

type Condition<T> = () => T | Promise<T>;
type Met<T> = Exclude<T, false | null | undefined | 0 | ''>;

/**
 * Polls `condition` until it returns a truthy value, and resolves with that value. Errors thrown by the
 * condition count as "not yet" (a service still starting), and the last one is reported on timeout.
 * This is how tests synchronize: on a condition with a deadline, never on a fixed sleep.
 *
 * What is awaited may come first instead of `message`, with the timeout alone as the last argument:
 * `waitFor('the first record', () => calls.length === 1, 60_000)`.
 */
export function waitFor<T>(condition: Condition<T>, options?: WaitForOptions): Promise<Met<T>>;
export function waitFor<T>(
  description: string,
  condition: Condition<T>,
  options?: Omit<WaitForOptions, 'message'> | number,
): Promise<Met<T>>;
export function waitFor<T>(
  first: string | Condition<T>,
  second?: Condition<T> | WaitForOptions,
  third?: Omit<WaitForOptions, 'message'> | number,
): Promise<Met<T>> {
  if (typeof first !== 'string') return poll(first, (second ?? {}) as WaitForOptions);
  const options = typeof third === 'number' ? { timeoutMs: third } : third;
  return poll(second as Condition<T>, { ...options, message: first });
}

async function poll<T>(condition: Condition<T>, options: WaitForOptions): Promise<Met<T>> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const intervalMs = options.intervalMs ?? 100;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value) return value as Met<T>;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const what = options.message ?? 'condition';
      const why =
        lastError === undefined
          ? ''
          : `; last error: ${lastError instanceof Error ? lastError.message : String(lastError)}`;
      throw new Error(`waitFor: ${what} not met within ${timeoutMs} ms${why}`, { cause: lastError });
    }
    await new Promise((resolve) =>
      setTimeout(resolve, Math.min(intervalMs, Math.max(0, deadline - Date.now()))),
    );
  }
}
