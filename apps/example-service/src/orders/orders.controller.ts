import { Body, Controller, Get, Headers, HttpCode, Param, Post } from '@nestjs/common';
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
  shipTo: z
    .object({
      recipientName: z.string().min(1).max(100),
      line1: z.string().min(1).max(200),
      line2: z.string().max(200).nullish(),
      postalCode: z.string().min(1).max(20),
      city: z.string().min(1).max(100),
      region: z.string().max(100).nullish(),
      countryCode: z.string().regex(/^[A-Z]{2}$/),
    })
    .optional(),
});

const uuid = z.uuid();

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
    const { placed, paymentId } = await this.orders.place(parsed.data, correlationId);
    return {
      orderId: placed.data.orderId,
      orderNumber: placed.data.orderNumber,
      eventId: placed.id,
      paymentId,
    };
  }

  /** Where the order is in its checkout: payment_requested → shipment_requested → shipped → delivered. */
  @Get(':orderId')
  async show(@Param('orderId') orderId: string) {
    if (!uuid.safeParse(orderId).success) throw new TributaryError('ORDER_INVALID', 'orderId is not a UUID');
    const order = await this.orders.find(orderId);
    if (!order) throw new TributaryError('ORDER_NOT_FOUND', `no order ${orderId}`);
    return order;
  }
}
