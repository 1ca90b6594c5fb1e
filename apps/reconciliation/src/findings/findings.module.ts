import { Module } from '@nestjs/common';
import { AuditLog, Outbox } from '@tributary/persistence';
import { DATA_SOURCE } from '@tributary/service-kit/nest';
import type { DataSource } from 'typeorm';
import { ProjectionRepository } from '../projections/projection.repository.js';
import { ProjectionsModule } from '../projections/projections.module.js';
import { FindingsController } from './findings.controller.js';
import { FindingsRepository } from './findings.repository.js';
import { FindingsService } from './findings.service.js';
import { Repairer } from './repairer.js';

/** Findings, their repairs, and a person's decisions about them. */
@Module({
  imports: [ProjectionsModule],
  controllers: [FindingsController],
  providers: [
    FindingsRepository,
    {
      provide: Repairer,
      inject: [Outbox, ProjectionRepository, AuditLog],
      useFactory: (outbox: Outbox, projections: ProjectionRepository, audit: AuditLog) =>
        new Repairer(outbox, projections, audit),
    },
    {
      provide: FindingsService,
      inject: [DATA_SOURCE, FindingsRepository, Repairer, AuditLog],
      useFactory: (
        dataSource: DataSource,
        findings: FindingsRepository,
        repairer: Repairer,
        audit: AuditLog,
      ) => new FindingsService(dataSource, findings, repairer, audit),
    },
  ],
  exports: [FindingsRepository, Repairer],
})
export class FindingsModule {}
