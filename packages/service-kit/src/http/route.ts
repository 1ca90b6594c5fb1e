import type { z } from 'zod';
import { checkDeprecation } from './deprecation.js';
import type { RouteDeprecation } from './deprecation.js';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface ResponseSpec {
  readonly description: string;
  /** The JSON body; responses are checked against it before they leave (see the Nest route module). */
  readonly schema?: z.ZodType;
  readonly headers?: z.ZodObject;
}

/**
 * One HTTP operation, declared once: Nest routes it (`@Route`), requests are parsed with its schemas
 * (`@Input`), responses are checked against its response schemas, and the OpenAPI document is generated
 * from the same object. There is no second description of a route to drift from the first.
 */
export interface RouteContract {
  readonly method: HttpMethod;
  /** OpenAPI style: `/v1/dead-letters/{id}`. */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly tags?: readonly string[];
  /** The API-key scope the call needs; absent: not API-key protected (webhooks, docs). */
  readonly scope?: string;
  readonly request?: {
    readonly params?: z.ZodObject;
    readonly query?: z.ZodObject;
    readonly headers?: z.ZodObject;
    readonly body?: z.ZodType;
    /** Default `application/json`. */
    readonly bodyContentType?: string;
  };
  /** By status. The first 2xx is the status Nest answers with unless the handler sets another. */
  readonly responses: Readonly<Record<number, ResponseSpec>>;
  /** Problem codes this route answers with besides the ones every route and every protected route has. */
  readonly problems?: readonly string[];
  /** Headers of the route's problem answers, by status, for the document (Retry-After on a 429). */
  readonly problemHeaders?: Readonly<Record<number, z.ZodObject>>;
  /** The code of a request that fails its schemas. Default REQUEST_INVALID. */
  readonly invalidCode?: string;
  /** Marks the operation deprecated in the document only; `deprecation` also tells clients on the wire. */
  readonly deprecated?: boolean;
  /** Deprecation and sunset headers, a 410 from the sunset on, and the document's notice (deprecation.ts). */
  readonly deprecation?: RouteDeprecation;
}

export function defineRoute<const T extends RouteContract>(route: T): T {
  if (!/^\/[\w\-./{}]*$/.test(route.path)) throw new Error(`route path ${route.path} is not /a/{b}/c`);
  const declared = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!).sort();
  const described = Object.keys(route.request?.params?.shape ?? {}).sort();
  if (declared.join() !== described.join()) {
    throw new Error(`route ${route.operationId}: path parameters ${declared} but params schema ${described}`);
  }
  if (!Object.keys(route.responses).some((status) => Number(status) < 400)) {
    throw new Error(`route ${route.operationId} declares no success response`);
  }
  if (route.deprecation) checkDeprecation(route.operationId, route.deprecation);
  return route;
}

/** The path in Nest's and Fastify's notation: `/v1/dead-letters/:id`. */
export function routerPath(route: Pick<RouteContract, 'path'>): string {
  return route.path.replace(/\{(\w+)\}/g, ':$1');
}

/** The status Nest answers with unless the handler sets another: the first success in the contract. */
export function defaultStatus(route: Pick<RouteContract, 'responses'>): number {
  return Math.min(
    ...Object.keys(route.responses)
      .map(Number)
      .filter((status) => status < 400),
  );
}

type Out<T> = T extends z.ZodType ? z.output<T> : undefined;
type RequestOf<R extends RouteContract> = NonNullable<R['request']>;

/** What `@Input()` hands a handler: each request part parsed by its schema. */
export interface RouteInput<R extends RouteContract> {
  readonly params: Out<RequestOf<R>['params']>;
  readonly query: Out<RequestOf<R>['query']>;
  readonly headers: Out<RequestOf<R>['headers']>;
  readonly body: Out<RequestOf<R>['body']>;
}

/** The body a handler returns for a status: typed from the same schema that documents and checks it. */
export type ResponseBody<
  R extends RouteContract,
  S extends keyof R['responses'],
> = R['responses'][S] extends { schema: z.ZodType } ? z.input<R['responses'][S]['schema']> : void;
