import { Module } from '@nestjs/common';
import { CheckoutConsumer } from '../checkout/checkout.consumer.js';
import { OrderLedgerConsumer } from './order-ledger.consumer.js';
import { OrdersController } from './orders.controller.js';
import { OrdersService } from './orders.service.js';

@Module({
  controllers: [OrdersController, OrderLedgerConsumer, CheckoutConsumer],
  providers: [OrdersService],
})
export class OrdersModule {}
