import { randomUUID } from 'node:crypto';
import { STRIPE_METADATA, stripeWebhook } from '@tributary/webhooks';
import { secrets } from './ingestion.js';

/** A Stripe payment_intent.succeeded event as Stripe sends it, with our ids in the metadata. */
export function stripeSucceeded(
  options: { eventId?: string; paymentId?: string; orderId?: string; amount?: number } = {},
) {
  const eventId = options.eventId ?? `evt_${randomUUID().replaceAll('-', '')}`;
  return {
    id: eventId,
    object: 'event',
    api_version: '2024-06-20',
    type: 'payment_intent.succeeded',
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    data: {
      object: {
        id: `pi_${randomUUID().replaceAll('-', '').slice(0, 24)}`,
        object: 'payment_intent',
        amount: options.amount ?? 2599,
        amount_received: options.amount ?? 2599,
        currency: 'eur',
        metadata: {
          [STRIPE_METADATA.paymentId]: options.paymentId ?? randomUUID(),
          [STRIPE_METADATA.orderId]: options.orderId ?? randomUUID(),
        },
      },
    },
  };
}

/** Body and headers of a Stripe delivery, signed as Stripe signs (stripeScheme is tested against stripe's library). */
export function signedStripe(
  event: unknown,
  options: { secret?: string; timestamp?: Date; headers?: Record<string, string> } = {},
): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify(event);
  const signature = stripeWebhook.scheme.sign(
    { body: Buffer.from(body), ...(options.timestamp ? { timestamp: options.timestamp } : {}) },
    options.secret ?? secrets.stripe,
  );
  return { body, headers: { 'content-type': 'application/json', ...signature, ...options.headers } };
}

export async function post(
  url: string,
  request: { body: string | Uint8Array; headers: Record<string, string> },
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const response = await fetch(url, { method: 'POST', body: request.body, headers: request.headers });
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    body = { text };
  }
  return { status: response.status, headers: response.headers, body };
}
