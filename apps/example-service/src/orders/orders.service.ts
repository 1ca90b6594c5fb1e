import { Inject, Injectable } from '@nestjs/common';
import { Outbox } from '@tributary/persistence';
import type { DataSource } from 'typeorm';
import { DATA_SOURCE } from '../messaging/messaging.module.js';
import { newOrderIds, placeOrder } from './order.js';
import type { OrderPlacedEvent, PlaceOrderCommand } from './order.js';

@Injectable()
export class OrdersService {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
  ) {}

  /**
   * The order row and its OrderPlaced event commit together or not at all (DESIGN §5, rule 1). The event is
   * Avro-validated inside the transaction, so a payload the schema refuses leaves no order behind.
   */
  async place(command: PlaceOrderCommand, correlationId?: string): Promise<OrderPlacedEvent> {
    return this.dataSource.transaction(async (manager) => {
      const [{ seq }] = (await manager.query(`SELECT nextval('order_number_seq')::int AS seq`)) as [
        { seq: number },
      ];
      const event = placeOrder(command, newOrderIds(seq), new Date(), correlationId);
      const order = event.data;
      await manager.query(
        `INSERT INTO orders (order_id, order_number, customer_id, total_minor, currency, status)
         VALUES ($1, $2, $3, $4, $5, 'placed')`,
        [order.orderId, order.orderNumber, order.customerId, order.totalAmountMinor, order.currency],
      );
      await this.outbox.publishEvent(manager, event);
      return event;
    });
  }
}
