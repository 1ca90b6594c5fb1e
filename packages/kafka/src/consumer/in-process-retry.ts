import { DelegateBackoff, fullJitterGenerator, handleWhen, retry } from 'cockatiel';

export interface InProcessRetryOptions {
  /** Retries after the first attempt. */
  maxRetries?: number;
  initialDelayMs?: number;
  maxDelayMs?: number;
  /**
   * No retry starts later than this after the first attempt began: a slow dependency must not hold the
   * partition (and its heartbeat budget) for long; the retry tiers take over.
   */
  budgetMs?: number;
}

export const DEFAULT_IN_PROCESS_RETRY: Required<InProcessRetryOptions> = {
  maxRetries: 3,
  initialDelayMs: 100,
  maxDelayMs: 2_000,
  budgetMs: 5_000,
};

export interface InProcessRetryHooks {
  /** Whether this error is worth retrying right here (retriable and not rate limited). */
  shouldRetry(error: unknown): boolean;
  /** Before each backoff sleep: keep the group membership alive, count the retry. */
  onRetry(error: unknown, delayMs: number, attempt: number): void;
  signal: AbortSignal;
}

/**
 * Runs `fn` with exponential backoff and full jitter (a random delay in [0, initial·2^n), capped), bounded
 * by attempts and by a time budget. Rethrows the last error when it gives up.
 */
export async function withInProcessRetry<T>(
  fn: () => Promise<T>,
  options: InProcessRetryOptions,
  hooks: InProcessRetryHooks,
): Promise<T> {
  const settings = { ...DEFAULT_IN_PROCESS_RETRY, ...options };
  const deadline = Date.now() + settings.budgetMs;
  const exponential = {
    generator: fullJitterGenerator,
    initialDelay: settings.initialDelayMs,
    maxDelay: settings.maxDelayMs,
    exponent: 2,
  };
  const policy = retry(
    handleWhen((error) => hooks.shouldRetry(error) && Date.now() < deadline),
    {
      maxAttempts: settings.maxRetries,
      backoff: new DelegateBackoff<unknown, number | undefined>((_context, state) => {
        const [delay, next] = fullJitterGenerator(state, exponential);
        return { delay: Math.max(0, Math.min(delay, deadline - Date.now())), state: next };
      }),
    },
  );
  const listener = policy.onRetry((event) => {
    hooks.onRetry('error' in event ? event.error : event.value, event.delay, event.attempt);
  });
  try {
    return await policy.execute(() => fn(), hooks.signal);
  } finally {
    listener.dispose();
  }
}
