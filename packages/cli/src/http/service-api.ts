import { describeLookup, setting } from '../session/dev-session.js';
import type { DevSessionLookup, Setting } from '../session/dev-session.js';

/** The variables that say where a service's API is and which key to send it. */
export interface ServiceVariables {
  /** e.g. DLQ_URL */
  readonly url: string;
  /** e.g. DLQ_API_KEY */
  readonly key: string;
  /** The service's own default port on this machine. */
  readonly defaultUrl: string;
}

/** Where the CLI sends its requests and with which key, and where both came from. */
export interface ServiceTarget {
  readonly base: string;
  readonly token: string | undefined;
  /** For error messages: which variable came from where, and what the dev session file was. */
  readonly origin: string;
  readonly keyVariable: string;
}

/**
 * Each variable from the environment when set, else from a live dev session. The session's key is used
 * only with the session's URL: a key is never sent to a server other than the one it was made for.
 */
export function serviceTarget(
  variables: ServiceVariables,
  env: Readonly<Record<string, string | undefined>>,
  lookup: DevSessionLookup,
): ServiceTarget {
  const url = setting(variables.url, env, lookup);
  const key: Setting =
    url.source === 'env'
      ? { value: env[variables.key], source: env[variables.key] === undefined ? 'unset' : 'env' }
      : setting(variables.key, env, lookup);
  const session = describeLookup(lookup);
  const from = (source: Setting['source']) =>
    source === 'env' ? 'from the environment' : source === 'session' ? `from the ${session}` : 'unset';
  const origin =
    url.source === key.source && url.source !== 'unset'
      ? `${variables.url} and ${variables.key} ${from(url.source)}`
      : [
          url.source === 'unset'
            ? `${variables.url} unset, ${session}`
            : `${variables.url} ${from(url.source)}`,
          key.source === 'unset' && url.source === 'env' && lookup.state === 'live'
            ? `${variables.key} unset (the dev session's key goes only to the session's ${variables.url})`
            : `${variables.key} ${from(key.source)}`,
        ].join('; ');
  return {
    base: (url.value || variables.defaultUrl).replace(/\/+$/, ''),
    token: key.value || undefined,
    origin,
    keyVariable: variables.key,
  };
}

export type ServiceApi = (method: string, path: string, body?: unknown) => Promise<unknown>;

/**
 * A JSON client of a service's API: the bearer key on every call, and every failure (refused connection,
 * a problem document, an answer that is not the service's) named with the URL and where URL and key came
 * from.
 */
export function serviceApi(target: ServiceTarget, doFetch: typeof fetch = fetch): ServiceApi {
  return async (method, path, body) => {
    if (!target.token) throw new Error(`${target.keyVariable} is not set (${target.origin})`);
    const url = `${target.base}${path}`;
    const failed = (cause: string) => new Error(`${method} ${url} failed: ${cause} (${target.origin})`);
    let response: Response;
    let text: string;
    try {
      response = await doFetch(url, {
        method,
        headers: {
          authorization: `Bearer ${target.token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      text = await response.text();
    } catch (error) {
      throw failed(causeOf(error));
    }
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // Not the service's API (a proxy's error page, another server on the port): say what answered.
      throw failed(`${response.status}, not JSON: ${text.slice(0, 200)}`);
    }
    if (!response.ok) {
      const problem = (parsed ?? {}) as { code?: string; detail?: string };
      throw failed(
        `${[response.status, problem.code].filter(Boolean).join(' ')}: ${problem.detail ?? (text || response.statusText)}`,
      );
    }
    return parsed;
  };
}

/**
 * The reason under fetch's own "fetch failed": `connect ECONNREFUSED 127.0.0.1:3300`, `getaddrinfo
 * ENOTFOUND dlq`, or each address's error when a name resolved to several.
 */
export function causeOf(error: unknown): string {
  // Duck-typed: fetch's errors come from Node's own realm, which is not the caller's under jest's VM.
  type ErrorLike = { message?: unknown; code?: unknown; cause?: unknown; errors?: unknown };
  const isObject = (value: unknown): value is ErrorLike => typeof value === 'object' && value !== null;
  let current: unknown = error;
  while (isObject(current) && current.cause !== undefined) current = current.cause;
  if (!isObject(current)) return String(current);
  if (Array.isArray(current.errors) && current.errors.length > 0) {
    return [...new Set(current.errors.map((e: unknown) => causeOf(e)))].join('; ');
  }
  if (typeof current.message === 'string' && current.message) return current.message;
  return typeof current.code === 'string' ? current.code : String(current);
}

/** Fixed-width columns, widths from the content. */
export function columns(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((c) => (c[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}
