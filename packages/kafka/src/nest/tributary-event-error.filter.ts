import { Catch } from '@nestjs/common';
import type { ArgumentsHost } from '@nestjs/common';
import { BaseRpcExceptionFilter } from '@nestjs/microservices';
import type { Observable } from 'rxjs';
import { throwError } from 'rxjs';
import { TributaryEventContext } from './tributary-event.context.js';

/**
 * Nest's default RPC exception filter turns every unknown error into `{ status: 'error', message: 'Internal
 * server error' }`, which erases the `code` and `retriable` flag the consumer routes on. This filter hands
 * errors of Tributary event handlers through untouched and leaves every other transport to the default.
 * Register it with `app.useGlobalFilters(new TributaryEventErrorFilter())`.
 */
@Catch()
export class TributaryEventErrorFilter extends BaseRpcExceptionFilter {
  override catch(exception: unknown, host: ArgumentsHost): Observable<unknown> {
    if (host.getType() === 'rpc' && host.switchToRpc().getContext() instanceof TributaryEventContext) {
      return throwError(() => exception);
    }
    return super.catch(exception, host);
  }
}
