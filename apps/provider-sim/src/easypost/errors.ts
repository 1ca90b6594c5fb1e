import type { Answer } from '../core/http.js';

export function easypostError(status: number, code: string, message: string, errors: unknown[] = []): Answer {
  return { status, body: { error: { code, message, errors } } };
}

export const notFound = (): Answer =>
  easypostError(404, 'NOT_FOUND', 'The requested resource could not be found.');
