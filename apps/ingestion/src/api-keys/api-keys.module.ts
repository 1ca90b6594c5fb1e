import { Module } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { INGESTION_CONFIG } from '../ingestion.config.js';
import type { IngestionConfig } from '../ingestion.config.js';
import { DATA_SOURCE } from '../messaging/messaging.module.js';
import { ApiKeyAuthenticator } from './api-key-authenticator.js';
import { ApiKeyGuard } from './api-key.guard.js';
import { ApiKeysRepository } from './api-keys.repository.js';

@Module({
  providers: [
    {
      provide: ApiKeysRepository,
      inject: [DATA_SOURCE],
      useFactory: (ds: DataSource) => new ApiKeysRepository(ds),
    },
    {
      provide: ApiKeyAuthenticator,
      inject: [ApiKeysRepository, INGESTION_CONFIG],
      useFactory: (repository: ApiKeysRepository, config: IngestionConfig) =>
        new ApiKeyAuthenticator(repository, config.apiKeyCacheTtlMs),
    },
    ApiKeyGuard,
  ],
  exports: [ApiKeysRepository, ApiKeyAuthenticator, ApiKeyGuard],
})
export class ApiKeysModule {}
