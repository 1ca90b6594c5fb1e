import { defineRoute } from '@tributary/service-kit/http';
import { z } from 'zod';
import { ORDER_STATUSES } from '../checkout/domain/checkout.js';

const address = z.object({
  recipientName: z.string().min(1).max(100),
  line1: z.string().min(1).max(200),
  line2: z.string().max(200).nullish(),
  postalCode: z.string().min(1).max(20),
  city: z.string().min(1).max(100),
  region: z.string().max(100).nullish(),
  countryCode: z.string().regex(/^[A-Z]{2}$/),
});

export const placeOrderRequest = z
  .object({
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
    shipTo: address
      .optional()
      .describe('Where the order ships once paid; absent for orders that do not ship.'),
  })
  .meta({ id: 'PlaceOrderRequest' });

export const placedOrder = z
  .object({
    orderId: z.uuid(),
    orderNumber: z.string(),
    eventId: z.uuid().describe('Id of the commerce.order.placed event.'),
    paymentId: z.uuid().describe('Id of the payment its checkout requested.'),
  })
  .meta({ id: 'PlacedOrder' });

export const orderView = z
  .object({
    orderId: z.uuid(),
    orderNumber: z.string(),
    status: z.enum(ORDER_STATUSES),
    paymentId: z.uuid().nullable(),
    shipmentId: z.uuid().nullable(),
    totalAmountMinor: z.number().int(),
    currency: z.string(),
    createdAt: z.iso.datetime({ offset: true }),
    updatedAt: z.iso.datetime({ offset: true }),
  })
  .meta({ id: 'Order' });

export type OrderView = z.infer<typeof orderView>;

export const placeOrder = defineRoute({
  method: 'post',
  path: '/v1/orders',
  operationId: 'placeOrder',
  summary: 'Place an order',
  description:
    'Writes the order, its commerce.order.placed event and the payments.payment.requested that starts its checkout in one transaction; the relay publishes them right after.',
  request: {
    headers: z.object({ 'correlation-id': z.string().max(128).optional() }),
    body: placeOrderRequest,
  },
  responses: { 202: { description: 'Stored; its events are in the outbox.', schema: placedOrder } },
  problems: ['SCHEMA_VALIDATION_FAILED'],
  invalidCode: 'ORDER_INVALID',
});

export const showOrder = defineRoute({
  method: 'get',
  path: '/v1/orders/{orderId}',
  operationId: 'showOrder',
  summary: 'Where an order is in its checkout',
  request: { params: z.object({ orderId: z.uuid() }) },
  responses: { 200: { description: 'The order.', schema: orderView } },
  problems: ['ORDER_NOT_FOUND'],
  invalidCode: 'ORDER_INVALID',
});

export const orderRoutes = [placeOrder, showOrder] as const;
