/**
 * A client-facing failure. Its status comes from the code, through the app's problem catalogue; the detail
 * is shown to the caller, so it says what was wrong without internals; headers go on the answer
 * (Retry-After, RateLimit). Extensions are extra members of the problem document (RFC 9457 §3.2).
 */
export class ProblemError<TCode extends string = string> extends Error {
  constructor(
    readonly code: TCode,
    readonly detail: string,
    readonly headers: Readonly<Record<string, string>> = {},
    readonly extensions: Readonly<Record<string, unknown>> = {},
  ) {
    super(detail);
    this.name = 'ProblemError';
  }
}
