/** Stable codes for everything that can stop the test stack; scripts and CI logs match on these. */
export const StackErrorCode = {
  prerequisiteMissing: 'STACK_PREREQUISITE_MISSING',
  unsupportedKafkaVersion: 'STACK_UNSUPPORTED_KAFKA_VERSION',
  artifactFetchFailed: 'STACK_ARTIFACT_FETCH_FAILED',
  checksumMismatch: 'STACK_ARTIFACT_CHECKSUM_MISMATCH',
  startFailed: 'STACK_START_FAILED',
  envIncomplete: 'STACK_ENV_INCOMPLETE',
  notRunning: 'STACK_NOT_RUNNING',
  versionConflict: 'STACK_VERSION_CONFLICT',
  lockTimeout: 'STACK_LOCK_TIMEOUT',
} as const;

export type StackErrorCode = (typeof StackErrorCode)[keyof typeof StackErrorCode];

/**
 * Same shape as the platform's TributaryError (a stable `code`, `retriable`), defined here because the
 * jest global setup loads this package outside the `source` export condition, where workspace packages
 * would resolve to their unbuilt dist.
 */
export class StackError extends Error {
  readonly retriable = false;

  constructor(
    readonly code: StackErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StackError';
  }
}

export function stackError(code: StackErrorCode, message: string, cause?: unknown): StackError {
  return new StackError(code, message, cause === undefined ? undefined : { cause });
}
