import { Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import { ObservabilityModule } from '@tributary/observability/nest';
import { LifecycleModule } from '@tributary/service-kit/nest';
import { ConsoleModule } from './console/console.module.js';
import { DeadLettersModule } from './dead-letters/dead-letters.module.js';
import { DLQ_HANDLER_CONFIG } from './dlq-handler.config.js';
import type { DlqHandlerConfig } from './dlq-handler.config.js';
import { MessagingModule } from './messaging/messaging.module.js';
import { DocsModule } from './openapi/docs.module.js';

@Module({})
export class AppModule {
  static forRoot(config: DlqHandlerConfig): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        ObservabilityModule.forRoot({ service: 'dlq-handler' }),
        LifecycleModule.forRoot(),
        MessagingModule,
        DeadLettersModule,
        DocsModule,
        ConsoleModule,
      ],
      providers: [{ provide: DLQ_HANDLER_CONFIG, useValue: config }],
      exports: [DLQ_HANDLER_CONFIG],
    };
  }
}
