import { Inject, Module } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import type { Logger } from '@tributary/observability';
import { AuditLog } from '@tributary/persistence';
import { DATA_SOURCE, LOGGER } from '@tributary/service-kit/nest';
import type { DataSource } from 'typeorm';
import { ProviderChangesController } from './provider-changes.controller.js';
import { collectOpenChanges } from './provider-changes.metrics.js';
import { ProviderChangesRepository } from './provider-changes.repository.js';
import { ProviderChangesService } from './provider-changes.service.js';
import { ShapesConsumer } from './shapes.consumer.js';

/** What providers changed in what they send (docs/architecture.md#provider-shapes): found, listed, acknowledged. */
@Module({
  controllers: [ShapesConsumer, ProviderChangesController],
  providers: [
    ProviderChangesRepository,
    {
      provide: ProviderChangesService,
      inject: [DATA_SOURCE, ProviderChangesRepository, AuditLog],
      useFactory: (dataSource: DataSource, changes: ProviderChangesRepository, audit: AuditLog) =>
        new ProviderChangesService(dataSource, changes, audit),
    },
  ],
})
export class ProviderChangesModule implements OnModuleInit {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly changes: ProviderChangesRepository,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    collectOpenChanges(this.dataSource, this.changes, this.logger);
  }
}
