/**
 * The stable problem codes of this API and their HTTP statuses (RFC 9457 `code` extension). Clients, the CLI
 * and alerts key on the code; adding one is backwards compatible, renaming one is not.
 */
export const ProblemCode = {
  requestMalformed: 'REQUEST_MALFORMED',
  requestInvalid: 'DLQ_REQUEST_INVALID',
  filterInvalid: 'DLQ_FILTER_INVALID',
  cursorInvalid: 'DLQ_CURSOR_INVALID',
  notFound: 'NOT_FOUND',
  deadLetterNotFound: 'DEAD_LETTER_NOT_FOUND',
  stateConflict: 'DEAD_LETTER_STATE_CONFLICT',
  replayTargetMissing: 'REPLAY_TARGET_MISSING',
  selectionTooLarge: 'DLQ_SELECTION_TOO_LARGE',
  bodyTooLarge: 'REQUEST_BODY_TOO_LARGE',
  unsupportedMediaType: 'UNSUPPORTED_MEDIA_TYPE',
  methodNotAllowed: 'METHOD_NOT_ALLOWED',
  apiKeyMissing: 'API_KEY_MISSING',
  apiKeyInvalid: 'API_KEY_INVALID',
  scopeMissing: 'API_KEY_SCOPE_MISSING',
  internal: 'INTERNAL',
  unavailable: 'SERVICE_UNAVAILABLE',
} as const;

export type ProblemCode = (typeof ProblemCode)[keyof typeof ProblemCode];

export const problemStatus: Readonly<Record<ProblemCode, number>> = {
  REQUEST_MALFORMED: 400,
  DLQ_REQUEST_INVALID: 400,
  DLQ_FILTER_INVALID: 400,
  DLQ_CURSOR_INVALID: 400,
  NOT_FOUND: 404,
  DEAD_LETTER_NOT_FOUND: 404,
  DEAD_LETTER_STATE_CONFLICT: 409,
  REPLAY_TARGET_MISSING: 409,
  DLQ_SELECTION_TOO_LARGE: 422,
  REQUEST_BODY_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  METHOD_NOT_ALLOWED: 405,
  API_KEY_MISSING: 401,
  API_KEY_INVALID: 401,
  API_KEY_SCOPE_MISSING: 403,
  INTERNAL: 500,
  SERVICE_UNAVAILABLE: 503,
};

/** A client-facing failure: status from its code and a detail safe to show. */
export class ProblemError extends Error {
  readonly status: number;

  constructor(
    readonly code: ProblemCode,
    readonly detail: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(detail);
    this.name = 'ProblemError';
    this.status = problemStatus[code];
  }
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function problemDocument(code: string, status: number, detail: string, instance?: string) {
  return {
    type: `urn:tributary:problem:${code}`,
    title: code,
    status,
    code,
    detail,
    ...(instance === undefined ? {} : { instance }),
  };
}
