import { z } from 'zod';
import { ProblemError } from '../problems/problem-error.js';
import type { RouteContract, RouteInput } from './route.js';

export interface RawRequest {
  readonly params?: unknown;
  readonly query?: unknown;
  readonly headers?: unknown;
  readonly body?: unknown;
}

/**
 * Parses each part of a request with the route's schemas. A part that fails is a client error with the
 * route's invalid code, and the detail names every bad field, in the part it came from.
 */
export function parseRouteInput<R extends RouteContract>(route: R, raw: RawRequest): RouteInput<R> {
  const request = route.request ?? {};
  const problems: string[] = [];
  const part = (name: keyof RawRequest, schema: z.ZodType | undefined): unknown => {
    if (!schema) return undefined;
    const parsed = schema.safeParse(raw[name] ?? (name === 'body' ? undefined : {}));
    if (parsed.success) return parsed.data;
    problems.push(`${name}: ${z.prettifyError(parsed.error).replaceAll('\n', '; ')}`);
    return undefined;
  };
  const input = {
    params: part('params', request.params),
    query: part('query', request.query),
    headers: part('headers', request.headers),
    body: part('body', request.body),
  };
  if (problems.length > 0)
    throw new ProblemError(route.invalidCode ?? 'REQUEST_INVALID', problems.join('\n'));
  return input as RouteInput<R>;
}

/**
 * Checks a handler's answer against the route's schema for the status: what leaves is what the document
 * says, with unknown members stripped. A mismatch is a bug of the service, never of the caller.
 */
export function checkResponse(
  route: RouteContract,
  status: number,
  body: unknown,
): { ok: true; body: unknown } | { ok: false; problem: string } {
  const schema = route.responses[status]?.schema;
  if (!schema) return { ok: true, body };
  // Through JSON first: the schema describes the wire (dates are strings there), not the objects in memory.
  const wire: unknown = body === undefined ? undefined : JSON.parse(JSON.stringify(body));
  const parsed = schema.safeParse(wire);
  return parsed.success
    ? { ok: true, body: parsed.data }
    : { ok: false, problem: `${route.operationId} ${status}: ${z.prettifyError(parsed.error)}` };
}
