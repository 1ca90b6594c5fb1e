import { Injectable } from '@nestjs/common';
import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Observable } from 'rxjs';
import { checkDeprecation, deprecationHeaders } from '../../http/deprecation.js';
import { ProblemError } from '../../problems/problem-error.js';
import type { RouteDeprecation } from '../../http/deprecation.js';

/** Set by `@Route` beside the contract (kept apart so this file needs nothing of the decorator's). */
export const ROUTE_DEPRECATION = 'tributary:route-deprecation';

/**
 * Put on a route by `@Route` when its contract has a `deprecation`: the headers go on the reply before the
 * handler runs, so error answers of the handler carry them too (a guard's 401 comes earlier and does not).
 * From the sunset on the handler no longer runs: 410 ROUTE_SUNSET, still with the guide's Link.
 */
@Injectable()
export class DeprecationInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const deprecation = Reflect.getMetadata(ROUTE_DEPRECATION, context.getHandler()) as
      RouteDeprecation | undefined;
    if (!deprecation) return next.handle();
    const headers = deprecationHeaders(deprecation);
    void context.switchToHttp().getResponse<FastifyReply>().headers(headers);
    if (this.now() >= checkDeprecation('(request)', deprecation).sunsetAt.getTime()) {
      throw new ProblemError(
        'ROUTE_SUNSET',
        `This route was retired on ${headers['sunset']}; the migration guide is ${deprecation.guide}.`,
        headers,
      );
    }
    return next.handle();
  }

  /** Read per request; a test of the 410 overrides it or declares a sunset in the past. */
  protected now(): number {
    return Date.now();
  }
}
