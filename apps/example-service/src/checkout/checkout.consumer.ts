import { Controller, Inject, Logger, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { EventOf } from '@tributary/contracts';
import { TributaryEventErrorFilter } from '@tributary/kafka/nest';
import { Outbox, withInbox } from '@tributary/persistence';
import { v7 as uuidv7 } from 'uuid';
import type { DataSource, EntityManager } from 'typeorm';
import type { ExampleServiceConfig } from '../example-service.config.js';
import { DATA_SOURCE, SERVICE_CONFIG } from '@tributary/service-kit/nest';
import { onPaymentFailed, onPaymentSucceeded, onShipmentProgress } from './domain/checkout.js';
import type { CheckoutOrder, Transition } from './domain/checkout.js';
import { checkoutOrders } from './checkout.repository.js';

/** Event types on the checkout's topics that other services act on; this group skips them. */
export const CHECKOUT_IGNORED_EVENT_TYPES = [
  'payments.payment.requested',
  'payments.payment.refunded',
  'logistics.shipment.requested',
] as const;

/**
 * Moves orders through checkout as the connectors report back. Each event is applied once (inbox) and
 * each transition at most once per order (row lock + state machine), so the duplicate PaymentSucceeded
 * that a Stripe webhook produces next to the connector's own answer requests no second shipment.
 */
@Controller()
@UseFilters(TributaryEventErrorFilter)
export class CheckoutConsumer {
  private readonly logger = new Logger(CheckoutConsumer.name);

  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(SERVICE_CONFIG) private readonly config: ExampleServiceConfig,
    private readonly outbox: Outbox,
  ) {}

  @EventPattern('payments.payment.succeeded')
  async onPaymentSucceeded(@Payload() event: EventOf<'payments.payment.succeeded'>): Promise<void> {
    await this.apply(
      event.id,
      (m) => checkoutOrders.lockById(m, event.data.orderId),
      (order) =>
        onPaymentSucceeded(
          order,
          {
            paymentId: event.data.paymentId,
            eventId: event.id,
            ...(event.correlationId ? { correlationId: event.correlationId } : {}),
          },
          { shipmentId: uuidv7(), eventId: uuidv7() },
          new Date(),
        ),
    );
  }

  @EventPattern('payments.payment.failed')
  async onPaymentFailed(@Payload() event: EventOf<'payments.payment.failed'>): Promise<void> {
    await this.apply(
      event.id,
      (m) => checkoutOrders.lockById(m, event.data.orderId),
      (order) => onPaymentFailed(order, event.data.paymentId),
    );
  }

  @EventPattern('logistics.shipment.created')
  async onShipmentCreated(@Payload() event: EventOf<'logistics.shipment.created'>): Promise<void> {
    await this.apply(
      event.id,
      (m) => checkoutOrders.lockById(m, event.data.orderId),
      (order) => onShipmentProgress(order, event.data.shipmentId, 'shipped'),
    );
  }

  @EventPattern('logistics.shipment.delivered')
  async onShipmentDelivered(@Payload() event: EventOf<'logistics.shipment.delivered'>): Promise<void> {
    await this.apply(
      event.id,
      (m) => checkoutOrders.lockById(m, event.data.orderId),
      (order) => onShipmentProgress(order, event.data.shipmentId, 'delivered'),
    );
  }

  private async apply(
    eventId: string,
    load: (manager: EntityManager) => Promise<CheckoutOrder | null>,
    decide: (order: CheckoutOrder) => Transition,
  ): Promise<void> {
    await withInbox(this.dataSource, this.config.consumer.group, eventId, async (manager) => {
      const order = await load(manager);
      // Not ours: the topics also carry payments and shipments of other services' orders.
      if (!order) return;
      const transition = decide(order);
      if (transition.kind === 'unchanged') {
        this.logger.debug(`order ${order.orderId} unchanged by ${eventId}: ${transition.reason}`);
        return;
      }
      await checkoutOrders.move(manager, order.orderId, transition.status, transition.shipmentId);
      for (const next of transition.events) await this.outbox.publishEvent(manager, next);
    });
  }
}
