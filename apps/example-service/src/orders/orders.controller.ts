import { Body, Controller, Headers, HttpCode, Post } from '@nestjs/common';
import { TributaryError } from '@tributary/contracts';
import { z } from 'zod';
import { OrdersService } from './orders.service.js';

const placeOrderRequest = z.object({
  customerId: z.string().min(1).max(64),
  currency: z.string().regex(/^[A-Z]{3}$/),
  channel: z.string().max(32).optional(),
  lines: z
    .array(
      z.object({
        sku: z.string().min(1).max(64),
        quantity: z.number().int().min(1).max(10_000),
        unitPriceMinor: z.number().int().min(0),
      }),
    )
    .min(1)
    .max(200),
});

@Controller('v1/orders')
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  /** 202: the order is stored and its event is in the outbox; delivery to Kafka happens right after. */
  @Post()
  @HttpCode(202)
  async place(@Body() body: unknown, @Headers('correlation-id') correlationId?: string) {
    const parsed = placeOrderRequest.safeParse(body);
    if (!parsed.success) {
      throw new TributaryError('ORDER_INVALID', z.prettifyError(parsed.error));
    }
    const event = await this.orders.place(parsed.data, correlationId);
    return { orderId: event.data.orderId, orderNumber: event.data.orderNumber, eventId: event.id };
  }
}
