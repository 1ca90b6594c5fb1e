import { Catch, HttpException, Logger } from '@nestjs/common';
import type { ArgumentsHost, ExceptionFilter } from '@nestjs/common';
import { classifyError } from '@tributary/contracts';
import type { FastifyReply } from 'fastify';

/** Error codes this app answers with a client error; anything else is a 500 that hides its message. */
const clientErrors: Readonly<Record<string, number>> = {
  ORDER_INVALID: 400,
  ORDER_NOT_FOUND: 404,
  SCHEMA_VALIDATION_FAILED: 422,
};

/** RFC 9457 problem documents with the error's stable `code`, for every error an HTTP route throws. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger(ProblemDetailsFilter.name);

  catch(error: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { status, code, detail } = this.describe(error);
    if (status >= 500) this.logger.error('request failed', { err: error, code });
    void reply
      .status(status)
      .header('content-type', 'application/problem+json')
      .send({ type: `urn:tributary:problem:${code}`, title: code, status, code, detail });
  }

  private describe(error: unknown): { status: number; code: string; detail: string } {
    if (error instanceof HttpException) {
      return { status: error.getStatus(), code: `HTTP_${error.getStatus()}`, detail: error.message };
    }
    const { code } = classifyError(error);
    const status = clientErrors[code];
    if (status !== undefined) return { status, code, detail: (error as Error).message };
    return { status: 500, code: 'INTERNAL', detail: 'The request failed; the error is logged.' };
  }
}
