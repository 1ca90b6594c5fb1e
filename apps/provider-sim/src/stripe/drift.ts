import { z } from 'zod';
import { adminError } from '../core/admin.js';
import { objectNotFound } from '../core/drift.js';
import type { DriftHandler } from '../core/drift.js';
import type { StripeAccount } from './account.js';
import { INTENT_STATUSES, STATUS_EVENT } from './payment-intents.js';

const setStatus = z.object({
  provider: z.literal('stripe'),
  kind: z.literal('set-status'),
  id: z.string().min(1),
  status: z.enum(INTENT_STATUSES),
  /** Whether Stripe generated the change's event (and so its webhook); false: a change with no trace. */
  event: z.boolean().default(true),
});

/**
 * Stripe's out-of-band changes: an intent reaching a status outside the platform's calls (the Dashboard,
 * a bank's late answer), with its event and webhook, or with neither.
 */
export function stripeDrift(account: StripeAccount): DriftHandler<z.infer<typeof setStatus>> {
  return {
    schema: setStatus,
    apply(request) {
      if (!account.intents.get(request.id)) return objectNotFound('stripe', request.id);
      if (request.event && STATUS_EVENT[request.status] === undefined)
        return adminError(
          400,
          'ADMIN_INVALID_BODY',
          `Stripe has no event for reaching ${request.status}; send event: false`,
        );
      const change = account.intents.setStatus(request.id, request.status)!;
      if (request.event) account.publish(change);
      return { status: 200, body: change.intent };
    },
  };
}
