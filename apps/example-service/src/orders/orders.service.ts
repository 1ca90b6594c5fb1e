import { Inject, Injectable } from '@nestjs/common';
import { Outbox } from '@tributary/persistence';
import type { DataSource } from 'typeorm';
import { DATA_SOURCE } from '@tributary/service-kit/nest';
import { requestPayment } from '../checkout/domain/checkout.js';
import { newOrderIds, placeOrder } from './domain/order.js';
import type { OrderPlacedEvent, PlaceOrderCommand } from './domain/order.js';
import type { OrderView } from './orders.routes.js';

@Injectable()
export class OrdersService {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
  ) {}

  /**
   * The order row, its OrderPlaced event and the PaymentRequested that starts its checkout commit together
   * or not at all (the outbox rule, docs/architecture.md). Events are Avro-validated inside the transaction, so a payload the
   * schema refuses leaves no order behind.
   */
  async place(
    command: PlaceOrderCommand,
    correlationId?: string,
  ): Promise<{ placed: OrderPlacedEvent; paymentId: string }> {
    return this.dataSource.transaction(async (manager) => {
      const [{ seq }] = (await manager.query(`SELECT nextval('order_number_seq')::int AS seq`)) as [
        { seq: number },
      ];
      const ids = newOrderIds(seq);
      const placed = placeOrder(command, ids, new Date(), correlationId);
      const payment = requestPayment(placed, { paymentId: ids.paymentId, eventId: ids.paymentEventId });
      const order = placed.data;
      await manager.query(
        `INSERT INTO orders (order_id, order_number, customer_id, total_minor, currency, status, payment_id,
                             ship_to, lines)
         VALUES ($1, $2, $3, $4, $5, 'payment_requested', $6, $7, $8)`,
        [
          order.orderId,
          order.orderNumber,
          order.customerId,
          order.totalAmountMinor,
          order.currency,
          ids.paymentId,
          command.shipTo ? JSON.stringify(command.shipTo) : null,
          JSON.stringify(order.lines.map(({ sku, quantity }) => ({ sku, quantity }))),
        ],
      );
      await this.outbox.publishEvent(manager, placed);
      await this.outbox.publishEvent(manager, payment);
      return { placed, paymentId: ids.paymentId };
    });
  }

  /** The order as the checkout left it, or null. */
  async find(orderId: string): Promise<OrderView | null> {
    const rows = (await this.dataSource.query(
      `SELECT order_id, order_number, status, payment_id, shipment_id, total_minor, currency, created_at,
              updated_at
         FROM orders WHERE order_id = $1`,
      [orderId],
    )) as Array<Record<string, unknown>>;
    const row = rows[0];
    if (!row) return null;
    return {
      orderId: row.order_id as string,
      orderNumber: row.order_number as string,
      status: row.status as OrderView['status'],
      paymentId: row.payment_id as string | null,
      shipmentId: row.shipment_id as string | null,
      totalAmountMinor: Number(row.total_minor),
      currency: row.currency as string,
      createdAt: (row.created_at as Date).toISOString(),
      updatedAt: (row.updated_at as Date).toISOString(),
    };
  }
}
