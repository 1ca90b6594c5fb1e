import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import type { AcceptedOrder } from './checks.js';

export interface FlowFigures {
  readonly accepted: AcceptedOrder[];
  /** POSTs not answered 202, by reason (status code or error): orders the caller knows were not taken. */
  readonly refused: Map<string, number>;
  readonly startedAt: number;
  readonly endedAt: number;
}

/**
 * Places `count` orders at `perSecond` on a fixed schedule (open loop: a slow answer does not slow the
 * flow), at most `inFlight` at once. Each order has its own customer, so every order makes one contact.
 */
export async function placeOrders(
  exampleServiceUrl: string,
  count: number,
  perSecond: number,
  progress: (placed: number, accepted: number) => void,
  inFlight = 64,
): Promise<FlowFigures> {
  const accepted: AcceptedOrder[] = [];
  const refused = new Map<string, number>();
  const startedAt = Date.now();
  const running = new Set<Promise<void>>();
  for (let n = 0; n < count; n += 1) {
    const due = startedAt + (n * 1000) / perSecond;
    if (due > Date.now()) await sleep(due - Date.now());
    while (running.size >= inFlight) await Promise.race(running);
    const attempt = placeOne(exampleServiceUrl, n).then((outcome) => {
      if ('order' in outcome) accepted.push(outcome.order);
      else refused.set(outcome.refused, (refused.get(outcome.refused) ?? 0) + 1);
    });
    running.add(attempt);
    void attempt.finally(() => running.delete(attempt));
    if (n % 500 === 499) progress(n + 1, accepted.length);
  }
  await Promise.all(running);
  return { accepted, refused, startedAt, endedAt: Date.now() };
}

async function placeOne(url: string, n: number): Promise<{ order: AcceptedOrder } | { refused: string }> {
  const customerId = randomUUID();
  try {
    const response = await fetch(`${url}/v1/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        customerId,
        currency: 'EUR',
        lines: [{ sku: `SOAK-${n % 50}`, quantity: 1 + (n % 3), unitPriceMinor: 1250 }],
        shipTo: {
          recipientName: `Customer ${n}`,
          line1: `${n} Main Street`,
          postalCode: '10115',
          city: 'Berlin',
          countryCode: 'DE',
        },
      }),
      signal: AbortSignal.timeout(15_000),
    });
    if (response.status !== 202) {
      await response.body?.cancel();
      return { refused: `HTTP ${response.status}` };
    }
    const body = (await response.json()) as { orderId: string; paymentId: string };
    return {
      order: { orderId: body.orderId, paymentId: body.paymentId, customerId, acceptedAt: Date.now() },
    };
  } catch (error) {
    // By shape, not `instanceof`: fetch's errors come from another realm under jest's VM modules.
    const { name, cause } = error as { name?: unknown; cause?: { code?: unknown } };
    const code = typeof cause?.code === 'string' ? cause.code : undefined;
    return { refused: code ?? (typeof name === 'string' ? name : 'error') };
  }
}
