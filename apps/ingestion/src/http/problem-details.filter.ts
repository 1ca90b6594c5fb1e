import { Catch, HttpException, Logger } from '@nestjs/common';
import type { ArgumentsHost, ExceptionFilter } from '@nestjs/common';
import { classifyError } from '@tributary/contracts';
import { metrics } from '@tributary/observability';
import { webhookDefinitions } from '@tributary/webhooks';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  PROBLEM_CONTENT_TYPE,
  ProblemCode,
  ProblemError,
  isProblemCode,
  problemDocument,
  problemStatus,
} from './problem.js';

/** Nest and Fastify raise these as HttpExceptions (body limit, content type, routing): give them our codes. */
const httpStatusCodes: Readonly<Record<number, ProblemCode>> = {
  400: ProblemCode.requestMalformed,
  404: ProblemCode.notFound,
  405: ProblemCode.methodNotAllowed,
  413: ProblemCode.bodyTooLarge,
  415: ProblemCode.unsupportedMediaType,
  503: ProblemCode.unavailable,
};

/**
 * Every error of every route becomes an RFC 9457 problem document with a stable `code`. Client errors say
 * what was wrong; anything unexpected is a 500 whose detail hides the message (it is logged instead).
 * Request bodies are never logged: they may hold personal data, and rejected ones may be hostile.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger(ProblemDetailsFilter.name);

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    const { status, code, detail, headers } = describe(error);
    if (error instanceof HttpException) countWebhookRefusedByFastify(request, status);
    if (status >= 500) this.logger.error('request failed', { code, route: request.routeOptions?.url }, error);
    void reply
      .status(status)
      .headers(headers)
      .header('content-type', PROBLEM_CONTENT_TYPE)
      .send(problemDocument(code, status, detail, request.url.split('?')[0]));
  }
}

/**
 * Body limit and content-type refusals happen in Fastify before the webhook route runs, so the intake
 * service never sees them; they are counted here to keep `tributary_webhooks_received_total` complete.
 */
function countWebhookRefusedByFastify(request: FastifyRequest, status: number): void {
  if (request.routeOptions?.url !== '/webhooks/:provider') return;
  const provider = (request.params as { provider?: string } | undefined)?.provider ?? '';
  metrics.webhooksReceived.inc({
    provider: Object.hasOwn(webhookDefinitions, provider) ? provider : 'unknown',
    outcome: status === 413 ? 'too_large' : status === 415 ? 'unsupported_media_type' : 'malformed',
  });
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
  // Errors of the packages (WebhookError, the encoder's SCHEMA_VALIDATION_FAILED, ...) carry codes we know.
  const { code } = classifyError(error);
  if (isProblemCode(code) && problemStatus[code] < 500) {
    return { status: problemStatus[code], code, detail: (error as Error).message, headers: {} };
  }
  return {
    status: 500,
    code: ProblemCode.internal,
    detail: 'The request failed; the error is logged.',
    headers: {},
  };
}
