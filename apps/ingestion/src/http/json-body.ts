import { ProblemError } from '@tributary/service-kit';
import { isJsonBodyError, jsonBodyProblem, parseStrictJson } from '@tributary/service-kit/http';
import { rawBodyOf } from '@tributary/service-kit/nest';
import type { FastifyRequest } from 'fastify';
import { ProblemCode } from './problem.js';

/**
 * The JSON body of a request, read from the raw bytes the app keeps: 415 unless the content type is
 * `application/json` (parameters allowed), bodiless requests included; 400 when the bytes are not strict
 * JSON (parseStrictJson: UTF-8, one JSON text, no member named twice).
 * For the handlers that do not take `@Input()`: it would answer a request without any body 422 where
 * these routes answer 415, and POST /v1/events checks its Idempotency-Key before the body's schema.
 */
export function jsonBodyOf(request: FastifyRequest): unknown {
  const type = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new ProblemError(ProblemCode.unsupportedMediaType, 'Send the body as application/json.');
  }
  try {
    return parseStrictJson(rawBodyOf(request));
  } catch (error) {
    throw isJsonBodyError(error) ? jsonBodyProblem(error, ProblemCode.requestMalformed) : error;
  }
}
