import { Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ObservabilityModule } from '@tributary/observability/nest';
import { LifecycleModule } from '@tributary/service-kit/nest';
import { DocsModule } from './openapi/docs.module.js';
import { EventLogModule } from './event-log/event-log.module.js';
import { EventsModule } from './events/events.module.js';
import { ProblemDetailsFilter } from './http/problem-details.filter.js';
import { INGESTION_CONFIG } from './ingestion.config.js';
import type { IngestionConfig } from './ingestion.config.js';
import { MessagingModule } from './messaging/messaging.module.js';
import { RATE_LIMITERS, createRateLimiters } from './rate-limit/rate-limiters.js';
import { WebhooksModule } from './webhooks/webhooks.module.js';

@Module({})
export class AppModule {
  static forRoot(config: IngestionConfig): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        ObservabilityModule.forRoot({ service: 'ingestion' }),
        LifecycleModule.forRoot(),
        MessagingModule,
        EventLogModule,
        WebhooksModule,
        EventsModule,
        DocsModule,
      ],
      providers: [
        { provide: INGESTION_CONFIG, useValue: config },
        { provide: RATE_LIMITERS, useValue: createRateLimiters(config) },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
      ],
      exports: [INGESTION_CONFIG, RATE_LIMITERS],
    };
  }
}
