import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { adminBody, adminError, providerName } from './admin.js';
import type { AdminRoute } from './admin.js';
import type { Answer } from './http.js';
import type { ProviderName } from './webhooks.js';

/**
 * One provider's out-of-band changes (what its dashboard, support or a carrier does behind the platform's
 * back): the kinds it takes, and how each changes the provider's state and its events or webhooks.
 */
export interface DriftHandler<T = unknown> {
  readonly schema: z.ZodType<T>;
  /** Answers the changed object, or the admin error (404 for an unknown object). */
  apply(request: T): Answer;
}

const envelope = z.object({ provider: providerName, kind: z.string() }).loose();

/** `POST /__admin/drift`: hands the body to the named provider's handler, which checks it against its kinds. */
export function driftRoute(handlers: Partial<Record<ProviderName, DriftHandler>>): AdminRoute {
  return async (req: IncomingMessage): Promise<Answer> => {
    const parsed = await adminBody(req, envelope);
    if ('answer' in parsed) return parsed.answer;
    const handler = handlers[parsed.value.provider];
    if (!handler) return adminError(400, 'ADMIN_INVALID_BODY', `${parsed.value.provider} takes no drift`);
    const request = handler.schema.safeParse(parsed.value);
    if (!request.success)
      return { status: 400, body: { error: { code: 'ADMIN_INVALID_BODY', issues: request.error.issues } } };
    return handler.apply(request.data);
  };
}

export const objectNotFound = (provider: ProviderName, id: string): Answer =>
  adminError(404, 'ADMIN_NOT_FOUND', `${provider} holds no object ${id}`);
