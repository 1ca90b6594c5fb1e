import { Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import { ServiceModule } from '@tributary/service-kit/nest';
import { ConsoleModule } from './console/console.module.js';
import { DeadLettersModule } from './dead-letters/dead-letters.module.js';
import { deadLetterMigrations } from './dead-letters/migrations.js';
import { DLQ_SCOPES } from './dlq-handler.config.js';
import type { DlqHandlerConfig } from './dlq-handler.config.js';
import { openApi } from './http/openapi.js';
import { dlqProblems } from './http/problem.js';

@Module({})
export class AppModule {
  static forRoot(config: DlqHandlerConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceModule.forRoot({
          config,
          migrations: deadLetterMigrations,
          // Replays re-send raw records to retry tiers through the producer; the handler publishes no
          // catalogue events, so it needs neither the outbox relay nor the catalogue topics.
          publishes: false,
          problems: dlqProblems,
          // Stored keys live in this service's own api_keys table (tributary api-keys --service
          // dlq-handler); configured ones come from API_KEYS.
          apiKeys: {
            scopes: DLQ_SCOPES,
            configured: config.apiKeys,
            cacheTtlMs: config.apiKeyCacheTtlMs,
            rateLimit: config.apiRateLimit,
          },
          openApi,
        }),
        DeadLettersModule,
        ConsoleModule,
      ],
    };
  }
}
