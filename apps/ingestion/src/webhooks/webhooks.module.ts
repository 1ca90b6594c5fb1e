import { Logger, Module } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import { startShapeSampling } from '@tributary/service-kit/backbone';
import type { Backbone } from '@tributary/service-kit/backbone';
import { BACKBONE, SERVICE_CONFIG, ShutdownService } from '@tributary/service-kit/nest';
import type { IngestionConfig } from '../ingestion.config.js';
import { exposeIngestionZeros } from '../metrics/ingestion-zeros.js';
import { WEBHOOK_SHAPES, WebhookIntakeService } from './webhook-intake.service.js';
import { WebhookProviders } from './domain/webhook-providers.js';
import { WebhooksController } from './webhooks.controller.js';

@Module({
  controllers: [WebhooksController],
  providers: [
    {
      provide: WebhookProviders,
      inject: [SERVICE_CONFIG],
      useFactory: (config: IngestionConfig) =>
        new WebhookProviders(config.webhookSecrets, config.webhookDefinitions),
    },
    {
      provide: WEBHOOK_SHAPES,
      inject: [SERVICE_CONFIG, BACKBONE, ShutdownService],
      useFactory: (config: IngestionConfig, backbone: Backbone, shutdown: ShutdownService) =>
        startShapeSampling({
          backbone,
          config: config.providerShapes,
          surface: 'webhook',
          declarationOf: (provider, eventType) => config.webhookDefinitions[provider]?.shapes?.[eventType],
          shutdown,
        }),
    },
    WebhookIntakeService,
  ],
  exports: [WebhookProviders, WebhookIntakeService],
})
export class WebhooksModule implements OnModuleInit {
  private readonly logger = new Logger(WebhooksModule.name);

  constructor(private readonly providers: WebhookProviders) {}

  onModuleInit(): void {
    exposeIngestionZeros(this.providers.configured());
    const unconfigured = this.providers.unconfigured();
    this.logger.log(
      `webhooks served for ${this.providers.configured().join(', ') || 'no provider'}` +
        (unconfigured.length ? `; refused (no secrets) for ${unconfigured.join(', ')}` : ''),
    );
  }
}
