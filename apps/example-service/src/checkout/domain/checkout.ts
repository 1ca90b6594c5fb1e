import type { Address, DomainEvent, PaymentRequested, ShipmentRequested } from '@tributary/contracts';
import type { OrderPlacedEvent } from '../../orders/domain/order.js';
import { ORDER_SOURCE } from '../../orders/domain/order.js';

/**
 * The checkout of one order as a state machine over the events of the payment and logistics connectors.
 * Pure: the consumer loads the order, asks what happens next and stores the answer with its events in one
 * transaction. Each transition happens at most once per order, whatever arrives twice or late: Stripe's
 * webhook and the payments connector both report one payment, and webhooks may come out of order.
 */
export const ORDER_STATUSES = [
  'payment_requested',
  'payment_failed',
  'shipment_requested',
  'shipped',
  'delivered',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export interface CheckoutOrder {
  readonly orderId: string;
  readonly customerId: string;
  readonly status: OrderStatus;
  readonly paymentId: string | null;
  readonly shipmentId: string | null;
  readonly shipTo: Address | null;
  readonly lines: ReadonlyArray<{ sku: string; quantity: number }>;
}

export type PaymentRequestedEvent = DomainEvent<'payments.payment.requested', PaymentRequested>;
export type ShipmentRequestedEvent = DomainEvent<'logistics.shipment.requested', ShipmentRequested>;

/** Later states never go back: a late or repeated event about an earlier step changes nothing. */
const rank: Readonly<Record<OrderStatus, number>> = {
  payment_requested: 1,
  payment_failed: 2,
  shipment_requested: 2,
  shipped: 3,
  delivered: 4,
};

/** The payment an order asks for as it is placed, in the same transaction. */
export function requestPayment(
  order: OrderPlacedEvent,
  ids: { paymentId: string; eventId: string },
): PaymentRequestedEvent {
  return {
    id: ids.eventId,
    type: 'payments.payment.requested',
    source: ORDER_SOURCE,
    subject: ids.paymentId,
    time: order.time,
    correlationId: order.correlationId ?? order.id,
    causationId: order.id,
    data: {
      paymentId: ids.paymentId,
      orderId: order.data.orderId,
      customerId: order.data.customerId,
      amountMinor: order.data.totalAmountMinor,
      currency: order.data.currency,
      paymentMethod: null,
      description: `Order ${order.data.orderNumber}`,
      requestedAt: order.data.placedAt,
    },
  };
}

export type Transition =
  | { readonly kind: 'unchanged'; readonly reason: string }
  | {
      readonly kind: 'moved';
      readonly status: OrderStatus;
      readonly shipmentId?: string;
      readonly events: readonly ShipmentRequestedEvent[];
    };

const unchanged = (reason: string): Transition => ({ kind: 'unchanged', reason });

/** A paid order asks for its shipment, once; an order without an address is done once paid. */
export function onPaymentSucceeded(
  order: CheckoutOrder,
  payment: { paymentId: string; eventId: string; correlationId?: string },
  ids: { shipmentId: string; eventId: string },
  now: Date,
): Transition {
  if (order.paymentId !== payment.paymentId)
    return unchanged(`payment ${payment.paymentId} is not the order's (${order.paymentId ?? 'none'})`);
  if (order.status !== 'payment_requested') return unchanged(`order is already ${order.status}`);
  if (!order.shipTo) return { kind: 'moved', status: 'shipment_requested', events: [] };
  const requested: ShipmentRequestedEvent = {
    id: ids.eventId,
    type: 'logistics.shipment.requested',
    source: ORDER_SOURCE,
    subject: ids.shipmentId,
    time: now.toISOString(),
    correlationId: payment.correlationId ?? order.orderId,
    causationId: payment.eventId,
    data: {
      shipmentId: ids.shipmentId,
      orderId: order.orderId,
      recipientContactId: order.customerId,
      destination: order.shipTo,
      items: order.lines.map(({ sku, quantity }) => ({ sku, quantity })),
      serviceLevel: null,
      weightGrams: null,
      requestedAt: now.getTime(),
    },
  };
  return { kind: 'moved', status: 'shipment_requested', shipmentId: ids.shipmentId, events: [requested] };
}

export function onPaymentFailed(order: CheckoutOrder, paymentId: string): Transition {
  if (order.paymentId !== paymentId) return unchanged(`payment ${paymentId} is not the order's`);
  if (order.status !== 'payment_requested') return unchanged(`order is already ${order.status}`);
  return { kind: 'moved', status: 'payment_failed', events: [] };
}

/** Shipment progress moves the order forward only; `delivered` before `shipped` skips `shipped`. */
export function onShipmentProgress(
  order: CheckoutOrder,
  shipmentId: string,
  status: 'shipped' | 'delivered',
): Transition {
  if (order.shipmentId !== shipmentId) return unchanged(`shipment ${shipmentId} is not the order's`);
  if (rank[order.status] >= rank[status]) return unchanged(`order is already ${order.status}`);
  return { kind: 'moved', status, events: [] };
}
