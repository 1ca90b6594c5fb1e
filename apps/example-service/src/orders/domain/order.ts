import type { Address, DomainEvent, OrderPlaced } from '@tributary/contracts';
import { v7 as uuidv7 } from 'uuid';

/** What a caller asks for. Validated at the edge (orders.controller.ts); this module trusts its input. */
export interface PlaceOrderCommand {
  readonly customerId: string;
  readonly currency: string;
  readonly lines: ReadonlyArray<{ sku: string; quantity: number; unitPriceMinor: number }>;
  readonly channel?: string;
  /** Where the order ships once paid; an order without one (a download, a service) is done once paid. */
  readonly shipTo?: Address;
}

export type OrderPlacedEvent = DomainEvent<'commerce.order.placed', OrderPlaced>;

export const ORDER_SOURCE = '/tributary/example-service';

/**
 * Turns a command into the event that records it. Pure: ids and the clock come in, so the same command
 * replayed with the same ids yields the same event.
 */
export function placeOrder(
  command: PlaceOrderCommand,
  ids: { orderId: string; eventId: string; orderNumber: string },
  now: Date,
  correlationId?: string,
): OrderPlacedEvent {
  const totalAmountMinor = command.lines.reduce((sum, line) => sum + line.quantity * line.unitPriceMinor, 0);
  return {
    id: ids.eventId,
    type: 'commerce.order.placed',
    source: ORDER_SOURCE,
    subject: ids.orderId,
    time: now.toISOString(),
    ...(correlationId ? { correlationId } : {}),
    data: {
      orderId: ids.orderId,
      customerId: command.customerId,
      orderNumber: ids.orderNumber,
      lines: command.lines.map((line) => ({ ...line, productName: null })),
      totalAmountMinor,
      currency: command.currency,
      channel: command.channel ?? null,
      placedAt: now.getTime(),
    },
  };
}

export interface NewOrderIds {
  readonly orderId: string;
  readonly eventId: string;
  readonly orderNumber: string;
  readonly paymentId: string;
  readonly paymentEventId: string;
}

export function newOrderIds(sequence: number): NewOrderIds {
  return {
    orderId: uuidv7(),
    eventId: uuidv7(),
    orderNumber: `TR-${String(sequence).padStart(6, '0')}`,
    paymentId: uuidv7(),
    paymentEventId: uuidv7(),
  };
}
