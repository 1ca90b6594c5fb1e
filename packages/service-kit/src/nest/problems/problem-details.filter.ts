import { Catch, HttpException, Inject, Logger } from '@nestjs/common';
import type { ArgumentsHost, ExceptionFilter } from '@nestjs/common';
import { classifyError } from '@tributary/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ProblemCatalogue } from '../../problems/problem-catalogue.js';
import { PROBLEM_CONTENT_TYPE, problemDocument } from '../../problems/problem-document.js';
import { ProblemError } from '../../problems/problem-error.js';
import { PROBLEM_CATALOGUE, SERVICE_OPTIONS } from '../tokens.js';
import type { ServiceModuleOptions } from '../service-module-options.js';

/** Nest and Fastify raise these as HttpExceptions (routing, body limit, content type): our codes for them. */
const httpStatusCodes: Readonly<Record<number, string>> = {
  400: 'REQUEST_MALFORMED',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'REQUEST_BODY_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  503: 'SERVICE_UNAVAILABLE',
};

export interface DescribedProblem {
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly extensions: Readonly<Record<string, unknown>>;
}

/**
 * Every error of every route becomes an RFC 9457 problem document with a stable `code` from the app's
 * catalogue. Client errors say what was wrong; anything unexpected is a 500 whose detail hides the message
 * (it is logged instead). Request bodies are never logged: they may hold personal data, and rejected ones
 * may be hostile.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger(ProblemDetailsFilter.name);

  constructor(
    @Inject(PROBLEM_CATALOGUE) private readonly catalogue: ProblemCatalogue,
    @Inject(SERVICE_OPTIONS) private readonly options: Pick<ServiceModuleOptions, 'onProblem'>,
  ) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    const problem = describeProblem(error, this.catalogue);
    if (problem.status >= 500) {
      this.logger.error('request failed', { code: problem.code, route: request.routeOptions?.url }, error);
    }
    this.options.onProblem?.(problem, request, error);
    void reply
      .status(problem.status)
      .headers(problem.headers)
      .header('content-type', PROBLEM_CONTENT_TYPE)
      .send(
        problemDocument(this.catalogue, problem.code, problem.detail, {
          instance: request.url.split('?')[0]!,
          extensions: problem.extensions,
        }),
      );
  }
}

export function describeProblem(error: unknown, catalogue: ProblemCatalogue): DescribedProblem {
  const status = (code: string) => catalogue[code]?.status;
  if (error instanceof ProblemError && status(error.code) !== undefined) {
    return {
      status: status(error.code)!,
      code: error.code,
      detail: error.detail,
      headers: error.headers,
      extensions: error.extensions,
    };
  }
  if (error instanceof HttpException) {
    const httpStatus = error.getStatus();
    const code = httpStatusCodes[httpStatus] ?? (httpStatus >= 500 ? 'INTERNAL' : 'REQUEST_INVALID');
    return {
      status: status(code) ?? httpStatus,
      code,
      detail: httpStatus >= 500 ? 'The request failed.' : error.message,
      headers: {},
      extensions: {},
    };
  }
  // Errors of the packages (WebhookError, the encoder's SCHEMA_VALIDATION_FAILED, ...) carry codes the
  // catalogue may know; a known client error keeps its code and message. A ProblemError whose code the
  // catalogue lacks is a bug of the service: a 500, logged.
  const { code } = classifyError(error);
  const known = status(code);
  if (!(error instanceof ProblemError) && known !== undefined && known < 500) {
    return { status: known, code, detail: (error as Error).message, headers: {}, extensions: {} };
  }
  return {
    status: 500,
    code: 'INTERNAL',
    detail: 'The request failed; the error is logged.',
    headers: {},
    extensions: {},
  };
}
