import { Catch, HttpException, Logger } from '@nestjs/common';
import type { ArgumentsHost, ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_CONTENT_TYPE, ProblemCode, ProblemError, problemDocument } from './problem.js';

/** Fastify and Nest raise these as HttpExceptions (routing, body limit, content type): give them our codes. */
const httpStatusCodes: Readonly<Record<number, ProblemCode>> = {
  400: ProblemCode.requestMalformed,
  404: ProblemCode.notFound,
  405: ProblemCode.methodNotAllowed,
  413: ProblemCode.bodyTooLarge,
  415: ProblemCode.unsupportedMediaType,
  503: ProblemCode.unavailable,
};

/** Every error of every route becomes an RFC 9457 document with a stable `code`; 500s hide their message. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger(ProblemDetailsFilter.name);

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    const { status, code, detail, headers } = describe(error);
    if (status >= 500) this.logger.error('request failed', { code, route: request.routeOptions?.url }, error);
    void reply
      .status(status)
      .headers(headers)
      .header('content-type', PROBLEM_CONTENT_TYPE)
      .send(problemDocument(code, status, detail, request.url.split('?')[0]));
  }
}

export function describe(error: unknown): {
  status: number;
  code: string;
  detail: string;
  headers: Readonly<Record<string, string>>;
} {
  if (error instanceof ProblemError) {
    return { status: error.status, code: error.code, detail: error.detail, headers: error.headers };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const code =
      httpStatusCodes[status] ?? (status >= 500 ? ProblemCode.internal : ProblemCode.requestInvalid);
    return { status, code, detail: status >= 500 ? 'The request failed.' : error.message, headers: {} };
  }
  return {
    status: 500,
    code: ProblemCode.internal,
    detail: 'The request failed; the error is logged.',
    headers: {},
  };
}
