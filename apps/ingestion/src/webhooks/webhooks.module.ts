import { Logger, Module } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import { SERVICE_CONFIG } from '@tributary/service-kit/nest';
import type { IngestionConfig } from '../ingestion.config.js';
import { exposeIngestionZeros } from '../metrics/ingestion-zeros.js';
import { WebhookIntakeService } from './webhook-intake.service.js';
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
