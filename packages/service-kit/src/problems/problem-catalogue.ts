/** One problem type an API may answer with: its HTTP status and a short human summary (RFC 9457 title). */
export interface ProblemSpec {
  readonly status: number;
  readonly title: string;
}

/** Stable code → problem type. Adding a code is backwards compatible; renaming or removing one is not. */
export type ProblemCatalogue = Readonly<Record<string, ProblemSpec>>;

/** What any route can answer, whatever the app: routing, body parsing, limits, failures. */
export const commonProblems = {
  REQUEST_MALFORMED: { status: 400, title: 'The request could not be parsed' },
  REQUEST_BODY_NOT_UTF8: { status: 400, title: 'The request body is not UTF-8' },
  REQUEST_BODY_DUPLICATE_KEY: { status: 400, title: 'The request body names a JSON member twice' },
  REQUEST_BODY_FORBIDDEN_MEMBER: {
    status: 400,
    title: 'The request body names __proto__, or prototype inside constructor',
  },
  REQUEST_INVALID: { status: 422, title: 'The request is not valid' },
  NOT_FOUND: { status: 404, title: 'No such route' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed on this route' },
  REQUEST_BODY_TOO_LARGE: { status: 413, title: 'The request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported content type' },
  RATE_LIMITED: { status: 429, title: 'Too many requests' },
  INTERNAL: { status: 500, title: 'The request failed' },
  SERVICE_UNAVAILABLE: { status: 503, title: 'The service is unavailable' },
} as const satisfies ProblemCatalogue;

/** What an API-key protected route can answer before it runs. */
export const apiKeyProblems = {
  API_KEY_MISSING: { status: 401, title: 'An API key is required' },
  API_KEY_INVALID: { status: 401, title: 'The API key is not valid' },
  API_KEY_EXPIRED: { status: 401, title: 'The API key has expired' },
  API_KEY_REVOKED: { status: 401, title: 'The API key was revoked' },
  API_KEY_SCOPE_MISSING: { status: 403, title: 'The API key lacks the scope this call needs' },
} as const satisfies ProblemCatalogue;

/**
 * An app's catalogue: the common problems, the API-key problems and its own codes. An own code may not
 * reuse a common one with another status: clients key on codes across services.
 */
export function defineProblems<const T extends ProblemCatalogue>(
  own: T,
): typeof commonProblems & typeof apiKeyProblems & T {
  const shared: ProblemCatalogue = { ...commonProblems, ...apiKeyProblems };
  for (const [code, spec] of Object.entries(own)) {
    const existing = shared[code];
    if (existing && existing.status !== spec.status) {
      throw new Error(`problem ${code} is ${existing.status} everywhere; it cannot be ${spec.status} here`);
    }
    if (!/^[A-Z][A-Z0-9_]*$/.test(code)) throw new Error(`problem code ${code} is not UPPER_SNAKE_CASE`);
  }
  return { ...commonProblems, ...apiKeyProblems, ...own };
}

/** The codes of a catalogue with this status, for documenting a response. */
export function codesWithStatus(catalogue: ProblemCatalogue, status: number): string[] {
  return Object.entries(catalogue)
    .filter(([, spec]) => spec.status === status)
    .map(([code]) => code);
}
