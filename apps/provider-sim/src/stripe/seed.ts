import { randomUUID } from 'node:crypto';
import { STRIPE_METADATA } from '@tributary/webhooks';
import { z } from 'zod';
import { seedBase } from '../core/seed.js';
import type { SeedHandler } from '../core/seed.js';
import type { StripeAccount } from './account.js';
import type { NewEvent } from './events.js';
import { confirmed, GENERIC_DECLINE, newIntent, previousOf } from './payment-intents.js';
import type { PaymentIntent } from './payment-intents.js';

const stripeSeed = seedBase.extend({
  provider: z.literal('stripe'),
  currency: z
    .string()
    .regex(/^[a-z]{3}$/)
    .default('eur'),
  /** Whether each intent's events are recorded, as they would have been (listed by `GET /v1/events`). */
  events: z.boolean().default(true),
  /** Whether a drifted intent's out-of-band change has its event too (only its webhook never arrived). */
  driftEvents: z.boolean().default(false),
});

type StripeSeed = z.infer<typeof stripeSeed>;

/** What the platform holds for a seeded intent: our ids and the status it believes. */
interface SeededIntent {
  id: string;
  paymentId: string;
  orderId: string;
  customerId: string;
  amount: number;
  currency: string;
  status: PaymentIntent['status'];
  created: number;
}

/**
 * Confirmed PaymentIntents created by the payments connector, in bulk: each with our ids in metadata, a
 * charge, and its `created` and outcome events. A drifted intent was declined (what the platform holds) and
 * later succeeded out of band, with a new charge, and its event only with `driftEvents`.
 */
export function stripeSeeder(account: StripeAccount): SeedHandler<StripeSeed> {
  return {
    schema: stripeSeed,
    apply(request, plan) {
      const intents: PaymentIntent[] = [];
      const events: NewEvent[] = [];
      const objects: SeededIntent[] = [];
      const drift: { id: string; local: string; provider: string; event: boolean }[] = [];
      const nowSeconds = Math.floor(plan.now / 1000);
      for (let index = 0; index < request.count; index++) {
        const created = Math.floor(plan.createdAt(index) / 1000);
        const ids = { paymentId: randomUUID(), orderId: randomUUID(), customerId: randomUUID() };
        const drifted = plan.drifted(index);
        const pending = newIntent({
          amount: 500 + Math.floor(plan.random() * 99_500),
          currency: request.currency,
          metadata: {
            [STRIPE_METADATA.paymentId]: ids.paymentId,
            [STRIPE_METADATA.orderId]: ids.orderId,
            [STRIPE_METADATA.customerId]: ids.customerId,
          },
          paymentMethod: 'pm_card_visa',
          created,
        });
        const charge = account.charges.attempt({
          paymentIntent: pending.id,
          amount: pending.amount,
          currency: pending.currency,
          paymentMethod: pending.payment_method,
          metadata: pending.metadata,
          created,
          ...(drifted ? { failure: { code: GENERIC_DECLINE.code, message: GENERIC_DECLINE.message } } : {}),
        });
        const outcome = confirmed(pending, charge.id, drifted ? GENERIC_DECLINE : undefined);
        if (request.events) {
          events.push({ type: 'payment_intent.created', object: pending, created });
          events.push({
            type: drifted ? 'payment_intent.payment_failed' : 'payment_intent.succeeded',
            object: outcome,
            previous: previousOf(pending, outcome),
            created,
          });
        }
        let final = outcome;
        if (drifted) {
          const at = created + Math.floor((nowSeconds - created) / 2);
          const paid = account.charges.attempt({
            paymentIntent: pending.id,
            amount: pending.amount,
            currency: pending.currency,
            paymentMethod: pending.payment_method,
            metadata: pending.metadata,
            created: at,
          });
          final = confirmed(outcome, paid.id);
          if (request.driftEvents)
            events.push({
              type: 'payment_intent.succeeded',
              object: final,
              previous: previousOf(outcome, final),
              created: at,
            });
          drift.push({
            id: final.id,
            local: outcome.status,
            provider: final.status,
            event: request.driftEvents,
          });
        }
        intents.push(final);
        objects.push({
          id: final.id,
          ...ids,
          amount: final.amount,
          currency: final.currency,
          status: outcome.status,
          created,
        });
      }
      account.intents.storeMany(intents);
      account.events.recordMany(events);
      return {
        status: 200,
        body: { provider: 'stripe', count: objects.length, drifted: drift.length, objects, drift },
      };
    },
  };
}
