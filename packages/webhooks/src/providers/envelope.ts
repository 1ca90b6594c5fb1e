import type { z } from 'zod';
import { describeIssues } from '../definition.js';
import { WebhookError, WebhookErrorCode } from '../errors.js';

/** Parses a provider's envelope or throws WEBHOOK_PAYLOAD_INVALID naming the paths (never the values). */
export function parseEnvelope<S extends z.ZodType>(provider: string, schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new WebhookError(
      WebhookErrorCode.payloadInvalid,
      `not a ${provider} webhook envelope: ${describeIssues(parsed.error)}`,
    );
  }
  return parsed.data;
}
