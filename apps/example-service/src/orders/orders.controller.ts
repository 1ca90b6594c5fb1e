import { Controller } from '@nestjs/common';
import type { RouteInput } from '@tributary/service-kit/http';
import { Input, Route } from '@tributary/service-kit/nest';
import { ProblemError } from '@tributary/service-kit';
import { OrdersService } from './orders.service.js';
import { placeOrder, showOrder } from './orders.routes.js';
import type { OrderView } from './orders.routes.js';

@Controller()
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  /** 202: the order is stored and its events are in the outbox; delivery to Kafka happens right after. */
  @Route(placeOrder)
  async place(@Input() input: RouteInput<typeof placeOrder>) {
    const { placed, paymentId } = await this.orders.place(input.body, input.headers['correlation-id']);
    return {
      orderId: placed.data.orderId,
      orderNumber: placed.data.orderNumber,
      eventId: placed.id,
      paymentId,
    };
  }

  /** Where the order is in its checkout: payment_requested → shipment_requested → shipped → delivered. */
  @Route(showOrder)
  async show(@Input() input: RouteInput<typeof showOrder>): Promise<OrderView> {
    const order = await this.orders.find(input.params.orderId);
    if (!order) throw new ProblemError('ORDER_NOT_FOUND', `no order ${input.params.orderId}`);
    return order;
  }
}
