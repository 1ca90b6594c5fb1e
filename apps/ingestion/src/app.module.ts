import { Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import { ServiceModule } from '@tributary/service-kit/nest';
import { API_KEY_SCOPES } from './api-keys/api-key-scopes.js';
import { CreateEventLog1764460800000 } from './event-log/event-log.migration.js';
import { AddWebhookBodies1796601600000 } from './event-log/webhook-bodies.migration.js';
import { EventLogModule } from './event-log/event-log.module.js';
import { EventsModule } from './events/events.module.js';
import { openApi } from './http/openapi.js';
import { ingestionProblems } from './http/problem.js';
import type { IngestionConfig } from './ingestion.config.js';
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
          // The api_keys table comes with the kit's API keys, under the migration name ingestion first
          // shipped it with.
          migrations: [CreateEventLog1764460800000, AddWebhookBodies1796601600000],
          problems: ingestionProblems,
          onProblem: countWebhookRefusedByFastify(config.webhookDefinitions),
          openApi,
          docsPage: true,
          apiKeys: {
            scopes: API_KEY_SCOPES,
            configured: config.configuredApiKeys,
            cacheTtlMs: config.apiKeyCacheTtlMs,
            rateLimit: config.rateLimits.apiPerKey,
          },
        }),
        EventLogModule,
        WebhooksModule,
        EventsModule,
      ],
      providers: [{ provide: RATE_LIMITERS, useValue: createRateLimiters(config) }],
      exports: [RATE_LIMITERS],
    };
  }
}
