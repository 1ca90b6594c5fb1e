import { Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import { ObservabilityModule } from '@tributary/observability/nest';
import { EXAMPLE_SERVICE_CONFIG } from './example-service.config.js';
import type { ExampleServiceConfig } from './example-service.config.js';
import { MessagingModule } from './messaging/messaging.module.js';
import { OrdersModule } from './orders/orders.module.js';

@Module({})
export class AppModule {
  static forRoot(config: ExampleServiceConfig): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [ObservabilityModule.forRoot({ service: 'example-service' }), MessagingModule, OrdersModule],
      providers: [{ provide: EXAMPLE_SERVICE_CONFIG, useValue: config }],
      exports: [EXAMPLE_SERVICE_CONFIG],
    };
  }
}
