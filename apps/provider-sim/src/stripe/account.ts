import type { SimCore } from '../core/provider.js';
import { ChargeStore } from './charges.js';
import { EventLog, WEBHOOK_EVENT_TYPES } from './events.js';
import type { StripeEvent } from './events.js';
import { PaymentIntentStore } from './payment-intents.js';
import type { IntentChange, PaymentIntent } from './payment-intents.js';

/**
 * One simulated Stripe account: its PaymentIntents, their charges, and the events every change generates.
 * `publish` is the one way a change becomes an event (and, when the endpoint is subscribed to its type, a
 * webhook), for API calls and out-of-band changes alike.
 */
export class StripeAccount {
  readonly charges = new ChargeStore();
  readonly intents: PaymentIntentStore;
  readonly events: EventLog;

  constructor(private readonly core: SimCore) {
    this.intents = new PaymentIntentStore(core.clock, this.charges);
    this.events = new EventLog(core.clock);
  }

  publish(change: IntentChange, idempotencyKey: string | null = null): StripeEvent | undefined {
    if (change.type === undefined) return undefined;
    const subscribed = this.core.webhooks.enabled('stripe') && WEBHOOK_EVENT_TYPES.has(change.type);
    const event = this.events.record(
      { type: change.type, object: change.intent, previous: change.previous, idempotencyKey },
      subscribed,
    );
    if (subscribed) {
      this.core.webhooks.emit('stripe', [
        {
          afterMs: 0,
          produce: () => ({ id: event.id, type: event.type, detail: change.intent.id, payload: event }),
        },
      ]);
    }
    return event;
  }

  /** The intent as an answer renders it: `latest_charge` as the charge object when expanded. */
  render(intent: PaymentIntent, expandCharge: boolean): PaymentIntent | Record<string, unknown> {
    if (!expandCharge || intent.latest_charge === null) return intent;
    return { ...intent, latest_charge: this.charges.get(intent.latest_charge) ?? intent.latest_charge };
  }
}
