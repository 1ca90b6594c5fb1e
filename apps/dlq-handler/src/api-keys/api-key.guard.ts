import { Inject, Injectable, SetMetadata } from '@nestjs/common';
import type { CanActivate, ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { ProblemError } from '@tributary/service-kit';
import { SERVICE_CONFIG } from '@tributary/service-kit/nest';
import type { DlqHandlerConfig, DlqScope } from '../dlq-handler.config.js';
import { ProblemCode } from '../http/problem.js';
import { authenticate, bearerToken } from './api-key.js';
import type { ApiPrincipal } from './api-key.js';

const SCOPE = 'tributary:dlq-scope';

/** The scope a route needs; routes without it (health, metrics, docs) are not guarded. */
export const RequireScope = (scope: DlqScope) => SetMetadata(SCOPE, scope);

declare module 'fastify' {
  interface FastifyRequest {
    principal?: ApiPrincipal;
  }
}

/** 401 without a valid key, 403 without the route's scope, before any work. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(SERVICE_CONFIG) private readonly config: DlqHandlerConfig,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const scope = this.reflector.get<DlqScope | undefined>(SCOPE, context.getHandler());
    if (!scope) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const token = bearerToken(request.headers.authorization);
    if (token === undefined) {
      throw new ProblemError(ProblemCode.apiKeyMissing, 'Send an API key: Authorization: Bearer <key>.', {
        'www-authenticate': 'Bearer',
      });
    }
    const principal = authenticate(token, this.config.apiKeys);
    if (!principal) throw new ProblemError(ProblemCode.apiKeyInvalid, 'The API key is not valid.');
    if (!principal.scopes.includes(scope)) {
      throw new ProblemError(ProblemCode.scopeMissing, `This call needs the ${scope} scope.`);
    }
    request.principal = principal;
    return true;
  }
}

export function principalOf(request: FastifyRequest): ApiPrincipal {
  if (!request.principal) throw new Error('principalOf: route is not guarded by RequireScope');
  return request.principal;
}
