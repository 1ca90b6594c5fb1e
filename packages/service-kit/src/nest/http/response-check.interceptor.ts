import { Injectable, Logger } from '@nestjs/common';
import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { map } from 'rxjs';
import type { Observable } from 'rxjs';
import { checkResponse } from '../../http/route-input.js';
import { contractOf } from './route.decorator.js';

/**
 * Holds every answer of a contract route to the contract's schema for its status: the document cannot
 * promise a field the service stopped sending, and members the schema does not list are not sent. An
 * answer that does not fit is a bug of the service: a 500, logged with the mismatch.
 */
@Injectable()
export class ResponseCheckInterceptor implements NestInterceptor {
  private readonly logger = new Logger(ResponseCheckInterceptor.name);

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const contract = context.getType() === 'http' ? contractOf(context.getHandler()) : undefined;
    if (!contract) return next.handle();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    return next.handle().pipe(
      map((body: unknown) => {
        const checked = checkResponse(contract, reply.statusCode, body);
        if (checked.ok) return checked.body;
        this.logger.error('response does not match its contract', { mismatch: checked.problem });
        throw new Error(`response does not match its contract: ${checked.problem}`);
      }),
    );
  }
}
