import type { Answer } from '../core/http.js';

export function stripeError(
  status: number,
  type: string,
  message: string,
  extra: Record<string, unknown> = {},
): Answer {
  return { status, body: { error: { type, message, ...extra } } };
}

export const invalidRequest = (message: string, extra: Record<string, unknown> = {}): Answer =>
  stripeError(400, 'invalid_request_error', message, extra);

/** Stripe's answer to an id it does not hold, on retrieval (404) or as a list cursor (400). */
export const noSuch = (status: 404 | 400, object: string, id: string, param?: string): Answer =>
  stripeError(status, 'invalid_request_error', `No such ${object}: '${id}'`, {
    code: 'resource_missing',
    ...(param ? { param } : {}),
  });
