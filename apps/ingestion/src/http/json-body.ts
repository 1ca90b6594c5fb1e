import type { FastifyRequest } from 'fastify';
import { ProblemError } from '@tributary/service-kit';
import { ProblemCode } from './problem.js';

/**
 * For handlers that read the raw body themselves, because they must check something before the body's
 * schema (the Idempotency-Key of POST /v1/events). `application/json` only, parameters allowed
 * (`; charset=utf-8`).
 */
export function requireJson(request: FastifyRequest): void {
  const type = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new ProblemError(ProblemCode.unsupportedMediaType, 'Send the body as application/json.');
  }
}

/** Parses JSON bytes or throws `code` (400): a body that is not JSON. */
export function parseJson(body: Buffer, code: ProblemCode = ProblemCode.requestMalformed): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new ProblemError(code, 'The body is not valid JSON.');
  }
}
