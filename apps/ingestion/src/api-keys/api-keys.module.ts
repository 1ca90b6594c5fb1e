import { Module } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { DATA_SOURCE, SERVICE_CONFIG } from '@tributary/service-kit/nest';
import type { IngestionConfig } from '../ingestion.config.js';
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
      inject: [ApiKeysRepository, SERVICE_CONFIG],
      useFactory: (repository: ApiKeysRepository, config: IngestionConfig) =>
        new ApiKeyAuthenticator(repository, config.apiKeyCacheTtlMs),
    },
    ApiKeyGuard,
  ],
  exports: [ApiKeysRepository, ApiKeyAuthenticator, ApiKeyGuard],
})
export class ApiKeysModule {}
