import { Inject, Injectable, SetMetadata } from '@nestjs/common';
import type { CanActivate, ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { metrics } from '@tributary/observability';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiPrincipal } from '../../api-keys/api-key.js';
import { ApiKeyAuthenticator } from '../../api-keys/api-key-authenticator.js';
import { ProblemError } from '../../problems/problem-error.js';
import { KeyedRateLimiter } from '../../rate-limit/keyed-rate-limiter.js';

export const API_KEY_SCOPE = 'tributary:api-key-scope';
export const API_KEY_RATE_LIMITER = Symbol('tributary:api-key-rate-limiter');

/** The scope a route needs (`@Route` sets it from the contract). Routes without one are not guarded. */
export const RequireScope = (scope: string) => SetMetadata(API_KEY_SCOPE, scope);

/** Who made each guarded request; kept beside the request rather than on it, so no global type changes. */
const principals = new WeakMap<FastifyRequest, ApiPrincipal>();

/**
 * For every route with a scope, in this order and before any work: 401 without a valid key, 403 without
 * the scope, 429 over the key's rate (RateLimit headers on every answer). Nothing is read or stored for a
 * refused call.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: ApiKeyAuthenticator,
    @Inject(API_KEY_RATE_LIMITER) private readonly limiter: KeyedRateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const scope = this.reflector.get<string | undefined>(API_KEY_SCOPE, context.getHandler());
    if (!scope) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const principal = await this.authenticator.authenticate(request.headers.authorization);
    if (!principal.scopes.includes(scope)) {
      throw new ProblemError('API_KEY_SCOPE_MISSING', `This call needs the ${scope} scope.`);
    }
    const decision = this.limiter.take(principal.keyId);
    const headers = this.limiter.headers(decision);
    if (!decision.allowed) {
      metrics.rateLimitedRequests.inc({ limiter: this.limiter.name });
      throw new ProblemError('RATE_LIMITED', 'Too many requests for this API key.', headers);
    }
    void reply.headers(headers);
    principals.set(request, principal);
    return true;
  }
}

/** The principal the guard attached; routes with a scope always have one. */
export function principalOf(request: FastifyRequest): ApiPrincipal {
  const principal = principals.get(request);
  if (!principal) throw new Error('principalOf: the route has no API-key scope');
  return principal;
}
