import { z } from 'zod';
import { createDocument } from 'zod-openapi';
import type {
  ZodOpenApiOperationObject,
  ZodOpenApiPathsObject,
  ZodOpenApiResponsesObject,
} from 'zod-openapi';
import { apiKeyProblems, commonProblems } from '../problems/problem-catalogue.js';
import type { ProblemCatalogue } from '../problems/problem-catalogue.js';
import { PROBLEM_CONTENT_TYPE, problemSchema } from '../problems/problem-document.js';
import { deprecationHeaderSchemas, deprecationNote, deprecationProblems } from './deprecation.js';
import type { RouteContract } from './route.js';

export interface OpenApiOptions {
  readonly title: string;
  /** The API's version, from its CHANGELOG. */
  readonly version: string;
  readonly description: string;
  readonly routes: readonly RouteContract[];
  readonly problems: ProblemCatalogue;
  /** Described on the bearer security scheme; the scopes themselves come from the routes. */
  readonly apiKeyDescription?: string;
}

/** Every route may fail this way, whatever it declares. */
const everyRoute = ['INTERNAL', 'SERVICE_UNAVAILABLE'] as const;
const guarded = [...Object.keys(apiKeyProblems), 'RATE_LIMITED'];
// What a body can be refused for before its schema is checked (parseStrictJson, the body limit, the type).
const bodyProblems = [
  'REQUEST_MALFORMED',
  'REQUEST_BODY_NOT_UTF8',
  'REQUEST_BODY_DUPLICATE_KEY',
  'REQUEST_BODY_FORBIDDEN_MEMBER',
  'REQUEST_BODY_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
];

/**
 * The OpenAPI 3.1 document of a service, generated from its route contracts and problem catalogue with
 * zod-openapi (which renders zod 4's own JSON Schema). Problem answers are grouped by status; each lists
 * its codes in the description and in `x-problem-codes` for tools.
 */
export function openApiDocument(options: OpenApiOptions): Record<string, unknown> {
  // ROUTE_SUNSET is in every app's runtime catalogue (ServiceModule) but documented only by an app that has a
  // deprecated route, so deprecating one changes no other app's document.
  const catalogue: ProblemCatalogue = options.routes.some((route) => route.deprecation)
    ? { ...deprecationProblems, ...options.problems }
    : options.problems;
  // One schema object for every mention: zod-openapi registers it once, as a component, by its id.
  const problem = problemSchema(catalogue);
  const paths: ZodOpenApiPathsObject = {};
  for (const route of [...options.routes].sort(byPathThenMethod)) {
    paths[route.path] = { ...paths[route.path], [route.method]: operation(route, catalogue, problem) };
  }
  const scopes = [...new Set(options.routes.flatMap((route) => (route.scope ? [route.scope] : [])))].sort();
  return createDocument({
    openapi: '3.1.0',
    info: { title: options.title, version: options.version, description: options.description },
    paths,
    components: {
      schemas: { Problem: problem },
      ...(scopes.length > 0
        ? {
            securitySchemes: {
              apiKey: {
                type: 'http',
                scheme: 'bearer',
                description: `${options.apiKeyDescription ?? 'API key.'} Scopes: ${scopes.join(', ')}.`,
              },
            },
          }
        : {}),
    },
  }) as unknown as Record<string, unknown>;
}

/** Stable text: the committed document is compared with this byte for byte (after formatting). */
export function renderOpenApi(document: Record<string, unknown>): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

type ProblemSchema = ReturnType<typeof problemSchema>;

function operation(
  route: RouteContract,
  catalogue: ProblemCatalogue,
  problem: ProblemSchema,
): ZodOpenApiOperationObject {
  const request = route.request ?? {};
  const description = [
    route.description,
    route.deprecation ? deprecationNote(route.deprecation) : undefined,
  ].filter(Boolean);
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(description.length > 0 ? { description: description.join('\n\n') } : {}),
    ...(route.tags ? { tags: [...route.tags] } : {}),
    ...(route.deprecated || route.deprecation ? { deprecated: true } : {}),
    ...(route.scope ? { security: [{ apiKey: [route.scope] }] } : {}),
    ...(request.params || request.query || request.headers
      ? {
          requestParams: {
            ...(request.params ? { path: request.params } : {}),
            ...(request.query ? { query: request.query } : {}),
            ...(request.headers ? { header: request.headers } : {}),
          },
        }
      : {}),
    ...(request.body
      ? {
          requestBody: {
            required: !request.body.safeParse(undefined).success,
            content: { [request.bodyContentType ?? 'application/json']: { schema: request.body } },
          },
        }
      : {}),
    responses: responses(route, catalogue, problem),
  };
}

function responses(
  route: RouteContract,
  catalogue: ProblemCatalogue,
  problem: ProblemSchema,
): ZodOpenApiResponsesObject {
  const result: ZodOpenApiResponsesObject = {};
  for (const [status, spec] of Object.entries(route.responses)) {
    const headers = route.deprecation
      ? (spec.headers ?? z.object({})).extend(deprecationHeaderSchemas)
      : spec.headers;
    result[status as `2${string}`] = {
      description: spec.description,
      ...(headers ? { headers } : {}),
      ...(spec.schema ? { content: { 'application/json': { schema: spec.schema } } } : {}),
    };
  }
  for (const [status, codes] of problemsByStatus(route, catalogue)) {
    const own = route.problemHeaders?.[status];
    const headers = route.deprecation ? (own ?? z.object({})).extend(deprecationHeaderSchemas) : own;
    result[String(status) as `4${string}`] = {
      description: `Problem codes: ${codes.join(', ')}.`,
      'x-problem-codes': codes,
      ...(headers ? { headers } : {}),
      content: { [PROBLEM_CONTENT_TYPE]: { schema: problem } },
    };
  }
  return result;
}

/** The problem codes a route can answer with, by status, each code once. */
export function problemsByStatus(route: RouteContract, catalogue: ProblemCatalogue): Map<number, string[]> {
  const codes = new Set<string>([
    ...(route.problems ?? []),
    ...(route.request ? [route.invalidCode ?? 'REQUEST_INVALID'] : []),
    ...(route.request?.body ? bodyProblems : []),
    ...(route.scope ? guarded : []),
    ...(route.deprecation ? Object.keys(deprecationProblems) : []),
    ...everyRoute,
  ]);
  const byStatus = new Map<number, string[]>();
  for (const code of [...codes].sort()) {
    const spec =
      catalogue[code] ??
      (commonProblems as ProblemCatalogue)[code] ??
      (deprecationProblems as ProblemCatalogue)[code];
    if (!spec) throw new Error(`route ${route.operationId} names problem ${code}, which the catalogue lacks`);
    byStatus.set(spec.status, [...(byStatus.get(spec.status) ?? []), code]);
  }
  return new Map([...byStatus].sort(([a], [b]) => a - b));
}

function byPathThenMethod(a: RouteContract, b: RouteContract): number {
  return a.path.localeCompare(b.path) || a.method.localeCompare(b.method);
}
