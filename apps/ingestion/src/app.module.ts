import { Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import { ServiceModule } from '@tributary/service-kit/nest';
import { CreateApiKeys1764460800001 } from './api-keys/api-keys.migration.js';
import { CreateEventLog1764460800000 } from './event-log/event-log.migration.js';
import { EventLogModule } from './event-log/event-log.module.js';
import { EventsModule } from './events/events.module.js';
import { ingestionProblems } from './http/problem.js';
import type { IngestionConfig } from './ingestion.config.js';
import { DocsModule } from './openapi/docs.module.js';
import { RATE_LIMITERS, createRateLimiters } from './rate-limit/rate-limiters.js';
import { countWebhookRefusedByFastify } from './webhooks/webhook-metrics.js';
import { WebhooksModule } from './webhooks/webhooks.module.js';

@Module({})
export class AppModule {
  static forRoot(config: IngestionConfig): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        ServiceModule.forRoot({
          config,
          migrations: [CreateEventLog1764460800000, CreateApiKeys1764460800001],
          problems: ingestionProblems,
          onProblem: countWebhookRefusedByFastify,
        }),
        EventLogModule,
        WebhooksModule,
        EventsModule,
        DocsModule,
      ],
      providers: [{ provide: RATE_LIMITERS, useValue: createRateLimiters(config) }],
      exports: [RATE_LIMITERS],
    };
  }
}
