import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { ProblemCode, ProblemError } from './problem.js';

/**
 * Fastify before Nest adds its parsers: every body arrives as the exact bytes received, whatever the
 * content type. Webhook signatures are computed over those bytes, so nothing may parse (and so normalize)
 * them first; routes parse JSON themselves, after verification. (Request timing and keep-alive release at
 * shutdown come with bootstrapApp.)
 */
export function configureHttp(app: NestFastifyApplication, bodyLimitBytes: number): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.removeAllContentTypeParsers();
  // A catch-all parser also makes Nest skip its JSON and urlencoded defaults.
  app.useBodyParser('*', { bodyLimit: bodyLimitBytes }, (_request, body, done) => done(null, body));
}

/** The raw body Fastify kept (see configureHttp); empty for bodiless requests. */
export function rawBodyOf(request: FastifyRequest): Buffer {
  return Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
}

/** JSON requests only: `application/json`, optionally with parameters (`; charset=utf-8`). */
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
