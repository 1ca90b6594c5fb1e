import { z } from 'zod';
import type { ProblemCatalogue } from './problem-catalogue.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Each code is its own problem type, named by a URN: stable and resolvable without hosting pages. */
export function problemType(code: string): string {
  return `urn:tributary:problem:${code}`;
}

/** An RFC 9457 problem document with the platform's `code` extension. */
export interface ProblemDocument {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly instance?: string;
  /** The stable code clients, the CLI and alerts key on. */
  readonly code: string;
  readonly [extension: string]: unknown;
}

export function problemDocument(
  catalogue: ProblemCatalogue,
  code: string,
  detail: string,
  options: { instance?: string; extensions?: Readonly<Record<string, unknown>> } = {},
): ProblemDocument {
  const spec = catalogue[code] ?? catalogue['INTERNAL'] ?? { status: 500, title: 'The request failed' };
  return {
    ...options.extensions,
    type: problemType(code),
    title: spec.title,
    status: spec.status,
    detail,
    ...(options.instance === undefined ? {} : { instance: options.instance }),
    code,
  };
}

/** The document's schema, for OpenAPI: `code` lists every code of the app. */
export function problemSchema(catalogue: ProblemCatalogue) {
  const codes = Object.keys(catalogue).sort() as [string, ...string[]];
  return z
    .object({
      type: z.string().describe('urn:tributary:problem:<code>'),
      title: z.string(),
      status: z.number().int(),
      detail: z.string(),
      instance: z.string().optional().describe('The path of the request.'),
      code: z.enum(codes).describe('Stable code; clients and alerts key on it.'),
    })
    .meta({ id: 'Problem', description: 'RFC 9457 problem details.' });
}
