import { Global, Module } from '@nestjs/common';
import type { EventEncoder } from '@tributary/kafka';
import { AvroEventEncoder } from '@tributary/kafka';
import { Outbox } from '@tributary/persistence';
import type { DataSource } from 'typeorm';
import { DATA_SOURCE, SERVICE_CONFIG } from '@tributary/service-kit/nest';
import type { IngestionConfig } from '../ingestion.config.js';
import { ProviderRefs } from '../webhooks/provider-refs.js';
import { EventLogRetentionService } from './event-log-retention.service.js';
import { EventLogController } from './event-log.controller.js';
import { EventLogRepository } from './event-log.repository.js';
import { EVENT_LOG_REPOSITORY, EVENT_LOG_WRITER } from './event-log.tokens.js';
import { EventLogWriter } from './event-log.writer.js';
import { ReplayService } from './replay.service.js';
import { UnresolvedRetryService } from './unresolved-retry.service.js';

/**
 * The event log: storage shared by webhooks and internal events (global), its API, replay and retention,
 * and the provider refs its mappings resolve ids with.
 */
@Global()
@Module({
  controllers: [EventLogController],
  providers: [
    {
      provide: EVENT_LOG_REPOSITORY,
      inject: [DATA_SOURCE],
      useFactory: (ds: DataSource) => new EventLogRepository(ds),
    },
    {
      provide: EVENT_LOG_WRITER,
      inject: [EVENT_LOG_REPOSITORY, AvroEventEncoder, Outbox],
      useFactory: (repository: EventLogRepository, encoder: EventEncoder, outbox: Outbox) =>
        new EventLogWriter(repository, encoder, outbox),
    },
    {
      provide: ProviderRefs,
      inject: [DATA_SOURCE, SERVICE_CONFIG],
      useFactory: (ds: DataSource, config: IngestionConfig) =>
        new ProviderRefs(ds, config.externalRefsSchemas),
    },
    ReplayService,
    EventLogRetentionService,
    UnresolvedRetryService,
  ],
  exports: [EVENT_LOG_REPOSITORY, EVENT_LOG_WRITER, ProviderRefs],
})
export class EventLogModule {}
