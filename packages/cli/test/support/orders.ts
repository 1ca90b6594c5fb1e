import { waitFor } from '@tributary/testkit';
import { v7 as uuidv7 } from 'uuid';

export interface PlacedOrder {
  readonly orderId: string;
  readonly paymentId: string;
  readonly customerId: string;
}

export interface OrderView {
  readonly status: 'payment_requested' | 'payment_failed' | 'shipment_requested' | 'shipped' | 'delivered';
  readonly paymentId: string | null;
  readonly shipmentId: string | null;
}

/** The checkout's steps in order; `payment_failed` ends it. */
const STEPS: ReadonlyArray<OrderView['status']> = [
  'payment_requested',
  'shipment_requested',
  'shipped',
  'delivered',
];

/** Orders through example-service, as a shop would place them: each walks payment, CRM and shipping. */
export class Shop {
  #placed = 0;

  constructor(private readonly url: string) {}

  async place(customerId: string = uuidv7()): Promise<PlacedOrder> {
    const n = (this.#placed += 1);
    const response = await fetch(`${this.url}/v1/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        customerId,
        currency: 'EUR',
        lines: [{ sku: `SKU-${n % 7}`, quantity: (n % 3) + 1, unitPriceMinor: 1250 }],
        shipTo: {
          recipientName: `Customer ${n}`,
          line1: `${n} Main Street`,
          postalCode: '10115',
          city: 'Berlin',
          countryCode: 'DE',
        },
      }),
    });
    if (response.status !== 202)
      throw new Error(`POST /v1/orders → ${response.status} ${await response.text()}`);
    return { ...((await response.json()) as { orderId: string; paymentId: string }), customerId };
  }

  async show(orderId: string): Promise<OrderView> {
    return (await (await fetch(`${this.url}/v1/orders/${orderId}`)).json()) as OrderView;
  }

  /** Waits until the order is at `status` or past it (a parcel may be delivered before a poll sees it shipped). */
  async reached(
    orderId: string,
    status: Exclude<OrderView['status'], 'payment_failed'>,
    timeoutMs = 120_000,
  ): Promise<OrderView> {
    return waitFor(
      `order ${orderId} at ${status} or past it`,
      async () => {
        const order = await this.show(orderId);
        return STEPS.indexOf(order.status) >= STEPS.indexOf(status) && order;
      },
      { timeoutMs, intervalMs: 250 },
    );
  }
}
