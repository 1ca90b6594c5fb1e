import { Inject, Injectable, SetMetadata } from '@nestjs/common';
import type { CanActivate, ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { metrics } from '@tributary/observability';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ProblemError } from '@tributary/service-kit';
import { ProblemCode } from '../http/problem.js';
import { RATE_LIMITERS } from '../rate-limit/rate-limiters.js';
import type { RateLimiters } from '../rate-limit/rate-limiters.js';
import type { ApiKeyScope, ApiPrincipal } from './api-key.js';
import { ApiKeyAuthenticator } from './api-key-authenticator.js';

const SCOPE = 'tributary:api-key-scope';

/** The scope a route needs. Routes without it are not guarded by API keys (webhooks, health, docs). */
export const RequireScope = (scope: ApiKeyScope) => SetMetadata(SCOPE, scope);

declare module 'fastify' {
  interface FastifyRequest {
    principal?: ApiPrincipal;
  }
}

/**
 * 401 without a valid key, 403 without the route's scope, 429 over the key's rate (RateLimit headers on
 * every answer), in that order, before any work: nothing is read or stored for a refused call.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: ApiKeyAuthenticator,
    @Inject(RATE_LIMITERS) private readonly limiters: RateLimiters,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const scope = this.reflector.get<ApiKeyScope | undefined>(SCOPE, context.getHandler());
    if (!scope) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const principal = await this.authenticator.authenticate(request.headers.authorization);
    if (!principal.scopes.includes(scope)) {
      throw new ProblemError(ProblemCode.scopeMissing, `This call needs the ${scope} scope.`);
    }
    const limiter = this.limiters.apiKey;
    const decision = limiter.take(principal.keyId);
    const headers = limiter.headers(decision);
    if (!decision.allowed) {
      metrics.rateLimitedRequests.inc({ limiter: limiter.name });
      throw new ProblemError(ProblemCode.rateLimited, 'Too many requests for this API key.', headers);
    }
    void reply.headers(headers);
    request.principal = principal;
    return true;
  }
}

/** The principal the guard attached; routes with RequireScope always have one. */
export function principalOf(request: FastifyRequest): ApiPrincipal {
  if (!request.principal) throw new Error('principalOf: route is not guarded by RequireScope');
  return request.principal;
}
