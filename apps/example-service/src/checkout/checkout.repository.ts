import type { Address } from '@tributary/contracts';
import type { EntityManager } from 'typeorm';
import type { CheckoutOrder, OrderStatus } from './domain/checkout.js';

interface OrderRow {
  order_id: string;
  customer_id: string;
  status: OrderStatus;
  payment_id: string | null;
  shipment_id: string | null;
  ship_to: Address | null;
  lines: Array<{ sku: string; quantity: number }>;
}

const toOrder = (row: OrderRow): CheckoutOrder => ({
  orderId: row.order_id,
  customerId: row.customer_id,
  status: row.status,
  paymentId: row.payment_id,
  shipmentId: row.shipment_id,
  shipTo: row.ship_to,
  lines: row.lines,
});

const columns = 'order_id, customer_id, status, payment_id, shipment_id, ship_to, lines';

/**
 * Orders as the checkout sees them. Reads take the row lock: two events about one order (the connector's
 * PaymentSucceeded and Stripe's webhook) may be handled at once on different partitions, and only one may
 * make the transition.
 */
export const checkoutOrders = {
  async lockById(manager: EntityManager, orderId: string): Promise<CheckoutOrder | null> {
    const rows = (await manager.query(`SELECT ${columns} FROM orders WHERE order_id = $1 FOR UPDATE`, [
      orderId,
    ])) as OrderRow[];
    return rows[0] ? toOrder(rows[0]) : null;
  },

  async move(
    manager: EntityManager,
    orderId: string,
    status: OrderStatus,
    shipmentId?: string,
  ): Promise<void> {
    await manager.query(
      `UPDATE orders SET status = $2, shipment_id = COALESCE($3, shipment_id), updated_at = now()
       WHERE order_id = $1`,
      [orderId, status, shipmentId ?? null],
    );
  },
};
