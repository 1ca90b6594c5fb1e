/**
 * The one error shape of the platform (docs/architecture.md#retries-and-dead-letters): a stable string `code`
 * that alerts, DLQ headers and API problem documents carry, and a `retriable` flag on which consumers decide,
 * never on `instanceof`.
 */
export class TributaryError extends Error {
  readonly code: string;
  readonly retriable: boolean;
  /** For rate limits: how long the caller asked us to wait. */
  readonly retryAfterMs?: number;

  constructor(
    code: string,
    message: string,
    options: { retriable?: boolean; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = options.retriable ?? false;
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }
}

/** Reads the classification off any thrown value. Unknown errors are retriable: a bug that a later
 * deploy fixes should not be thrown away on the first attempt; the retry tiers bound the cost. */
export function classifyError(error: unknown): { code: string; retriable: boolean; retryAfterMs?: number } {
  if (error && typeof error === 'object') {
    const e = error as { code?: unknown; retriable?: unknown; retryAfterMs?: unknown };
    if (typeof e.code === 'string' && typeof e.retriable === 'boolean') {
      return typeof e.retryAfterMs === 'number'
        ? { code: e.code, retriable: e.retriable, retryAfterMs: e.retryAfterMs }
        : { code: e.code, retriable: e.retriable };
    }
  }
  return { code: 'UNCLASSIFIED', retriable: true };
}
