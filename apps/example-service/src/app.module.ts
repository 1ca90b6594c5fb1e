import { Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import { ServiceModule } from '@tributary/service-kit/nest';
import { AddCheckout1764979200000 } from './checkout/checkout.migration.js';
import { CHECKOUT_IGNORED_EVENT_TYPES } from './checkout/checkout.consumer.js';
import type { ExampleServiceConfig } from './example-service.config.js';
import { openApi } from './http/openapi.js';
import { exampleServiceProblems } from './http/problems.js';
import { CreateOrders1764288000000 } from './orders/orders.migration.js';
import { OrdersModule } from './orders/orders.module.js';

/** Published to (orders, payment and shipment requests) and consumed (orders, payments, shipments). */
export const EXAMPLE_SERVICE_TOPICS = ['commerce.order.v1', 'payments.payment.v1', 'logistics.shipment.v1'];

@Module({})
export class AppModule {
  static forRoot(config: ExampleServiceConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceModule.forRoot({
          config,
          migrations: [CreateOrders1764288000000, AddCheckout1764979200000],
          problems: exampleServiceProblems,
          openApi,
          consumer: {
            ...config.consumer,
            topics: EXAMPLE_SERVICE_TOPICS,
            ignoredEventTypes: CHECKOUT_IGNORED_EVENT_TYPES,
          },
        }),
        OrdersModule,
      ],
    };
  }
}
