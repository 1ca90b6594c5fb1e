import { Module } from '@nestjs/common';
import { OrderLedgerConsumer } from './order-ledger.consumer.js';
import { OrdersController } from './orders.controller.js';
import { OrdersService } from './orders.service.js';

@Module({
  controllers: [OrdersController, OrderLedgerConsumer],
  providers: [OrdersService],
})
export class OrdersModule {}
