import { TributaryError } from '@tributary/contracts';

/**
 * Stable codes of request bodies refused by the strict JSON reader. Each is also a common problem code
 * (400), so every app answers them alike; ingestion's webhooks keep WEBHOOK_PAYLOAD_MALFORMED for syntax.
 */
export const JsonBodyErrorCode = {
  /** The bytes are not UTF-8 (invalid, overlong or truncated sequences, UTF-8-encoded surrogates). */
  notUtf8: 'REQUEST_BODY_NOT_UTF8',
  /** An object names the same member twice: readers disagree on which value wins (RFC 8259 §4). */
  duplicateKey: 'REQUEST_BODY_DUPLICATE_KEY',
  /**
   * A member named `__proto__`, or `prototype` inside `constructor`: harmless to JSON.parse, but code that
   * later merges the object with Object.assign or a deep merge would change a prototype (prototype poisoning).
   */
  forbiddenMember: 'REQUEST_BODY_FORBIDDEN_MEMBER',
  /** Not one JSON text (RFC 8259): syntax, a byte order mark, trailing data, an empty body. */
  malformed: 'REQUEST_MALFORMED',
} as const;

export type JsonBodyErrorCode = (typeof JsonBodyErrorCode)[keyof typeof JsonBodyErrorCode];

/** A refused body; `offset` is in bytes of the body, `pointer` (RFC 6901) names a duplicated member. */
export class JsonBodyError extends TributaryError {
  declare readonly code: JsonBodyErrorCode;

  constructor(
    code: JsonBodyErrorCode,
    message: string,
    readonly at: { readonly offset: number; readonly pointer?: string },
  ) {
    super(code, message, { retriable: false });
  }
}

export function isJsonBodyError(error: unknown): error is JsonBodyError {
  return error instanceof JsonBodyError;
}
