import {
  HttpCode,
  RequestMapping,
  RequestMethod,
  SetMetadata,
  UseInterceptors,
  applyDecorators,
  createParamDecorator,
} from '@nestjs/common';
import type { ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ProblemError } from '../../problems/problem-error.js';
import { defaultStatus, routerPath } from '../../http/route.js';
import type { HttpMethod, RouteContract } from '../../http/route.js';
import { parseRouteInput } from '../../http/route-input.js';
import { isJsonBodyError } from '../../http/errors.js';
import { jsonBodyProblem, parseStrictJson } from '../../http/strict-json.js';
import { RequireScope } from '../api-keys/api-key.guard.js';
import { DeprecationInterceptor, ROUTE_DEPRECATION } from './deprecation.interceptor.js';

export const ROUTE_CONTRACT = 'tributary:route-contract';

const methods: Readonly<Record<HttpMethod, RequestMethod>> = {
  get: RequestMethod.GET,
  post: RequestMethod.POST,
  put: RequestMethod.PUT,
  patch: RequestMethod.PATCH,
  delete: RequestMethod.DELETE,
};

/**
 * Serves a handler as the contract says: method, path (controllers carry no path of their own), success
 * status, API-key scope, deprecation headers (and the 410 after the sunset). `@Input()` then hands it the parsed request, and the response is checked against
 * the contract's schema on its way out.
 */
export function Route(contract: RouteContract): MethodDecorator {
  return applyDecorators(
    RequestMapping({ path: routerPath(contract), method: methods[contract.method] }),
    HttpCode(defaultStatus(contract)),
    SetMetadata(ROUTE_CONTRACT, contract),
    ...(contract.scope ? [RequireScope(contract.scope)] : []),
    ...(contract.deprecation
      ? [SetMetadata(ROUTE_DEPRECATION, contract.deprecation), UseInterceptors(DeprecationInterceptor)]
      : []),
  );
}

/** The contract a handler serves, if it has one. */
export function contractOf(handler: object): RouteContract | undefined {
  return Reflect.getMetadata(ROUTE_CONTRACT, handler) as RouteContract | undefined;
}

/**
 * The request parsed by the route's schemas: `{ params, query, headers, body }`. A JSON body is parsed
 * here when the app keeps raw bodies (ingestion verifies signatures over the exact bytes), strictly
 * (parseStrictJson): a body that is not JSON is REQUEST_MALFORMED, not UTF-8 REQUEST_BODY_NOT_UTF8, with a
 * member named twice REQUEST_BODY_DUPLICATE_KEY, a `__proto__` member REQUEST_BODY_FORBIDDEN_MEMBER; another
 * content type is UNSUPPORTED_MEDIA_TYPE.
 */
export const Input = createParamDecorator((_data: unknown, context: ExecutionContext) => {
  const contract = contractOf(context.getHandler());
  if (!contract) throw new Error('@Input() needs the handler to be declared with @Route(contract)');
  const request = context.switchToHttp().getRequest<FastifyRequest>();
  return parseRouteInput(contract, {
    params: request.params,
    query: request.query,
    headers: request.headers,
    body: contract.request?.body ? bodyOf(request, contract) : undefined,
  });
});

function bodyOf(request: FastifyRequest, contract: RouteContract): unknown {
  if (!Buffer.isBuffer(request.body)) return request.body;
  const expected = contract.request?.bodyContentType ?? 'application/json';
  const type = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  if (request.body.length === 0 && contract.request?.body?.safeParse(undefined).success) return undefined;
  if (type !== expected) throw new ProblemError('UNSUPPORTED_MEDIA_TYPE', `Send the body as ${expected}.`);
  try {
    return parseStrictJson(request.body);
  } catch (error) {
    throw isJsonBodyError(error) ? jsonBodyProblem(error) : error;
  }
}
