import { randomBytes } from 'node:crypto';
import { stripeWebhook } from '@tributary/webhooks';
import type { PaymentIntent } from './payment-intents.js';

export interface WebhookTarget {
  url: string;
  /** Signs like Stripe: HMAC-SHA256 keyed with the whole secret string, over `${t}.${body}`. */
  secret: string;
}

export interface WebhookDelivery {
  eventId: string;
  type: string;
  status: number | 'error';
}

/** Sends the Stripe event for what a PaymentIntent became, signed, once. */
export async function sendPaymentIntentEvent(
  target: WebhookTarget,
  intent: PaymentIntent,
): Promise<WebhookDelivery> {
  const type = intent.status === 'succeeded' ? 'payment_intent.succeeded' : 'payment_intent.payment_failed';
  const event = {
    id: `evt_${randomBytes(12).toString('hex')}`,
    object: 'event',
    type,
    created: Math.floor(Date.now() / 1000),
    data: { object: intent },
  };
  const body = JSON.stringify(event);
  try {
    const response = await fetch(target.url, {
      method: 'POST',
      // Signed by the same scheme ingestion verifies with, so the two cannot drift apart.
      headers: {
        'content-type': 'application/json',
        ...stripeWebhook.scheme.sign({ body: Buffer.from(body) }, target.secret),
      },
      body,
      signal: AbortSignal.timeout(10_000),
    });
    await response.body?.cancel();
    return { eventId: event.id, type, status: response.status };
  } catch {
    return { eventId: event.id, type, status: 'error' };
  }
}
