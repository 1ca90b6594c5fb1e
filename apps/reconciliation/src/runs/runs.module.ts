import { Inject, Module } from '@nestjs/common';
import type { OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from '@tributary/observability';
import { AuditLog, Outbox } from '@tributary/persistence';
import { DATA_SOURCE, LOGGER, SERVICE_CONFIG, ShutdownService } from '@tributary/service-kit/nest';
import type { DataSource } from 'typeorm';
import { FindingsModule } from '../findings/findings.module.js';
import { FindingsRepository } from '../findings/findings.repository.js';
import { Repairer } from '../findings/repairer.js';
import { PlatformOwnedRepository } from '../projections/platform-owned.repository.js';
import { ProjectionRepository } from '../projections/projection.repository.js';
import { ProjectionsModule } from '../projections/projections.module.js';
import type { ReconciliationConfig } from '../reconciliation.config.js';
import { PageProcessor } from './page-processor.js';
import { PageRequester } from './page-requester.js';
import { PagesConsumer } from './pages.consumer.js';
import { RunDriver } from './run-driver.js';
import { RunsController } from './runs.controller.js';
import { RunsRepository } from './runs.repository.js';
import { RunsService } from './runs.service.js';

/**
 * Runs: started by the schedule or a person, walked page by page through the owner's connector,
 * checkpointed after every page, completed with their repairs.
 */
@Module({
  imports: [ProjectionsModule, FindingsModule],
  controllers: [RunsController, PagesConsumer],
  providers: [
    RunsRepository,
    {
      provide: PageRequester,
      inject: [Outbox, RunsRepository, SERVICE_CONFIG],
      useFactory: (outbox: Outbox, runs: RunsRepository, config: ReconciliationConfig) =>
        new PageRequester(outbox, runs, { pageSize: config.pageSize, pageTimeoutMs: config.pageTimeoutMs }),
    },
    {
      provide: PageProcessor,
      inject: [
        RunsRepository,
        FindingsRepository,
        ProjectionRepository,
        PlatformOwnedRepository,
        Repairer,
        PageRequester,
        LOGGER,
        SERVICE_CONFIG,
      ],
      useFactory: (
        runs: RunsRepository,
        findings: FindingsRepository,
        projections: ProjectionRepository,
        platformOwned: PlatformOwnedRepository,
        repairer: Repairer,
        requester: PageRequester,
        logger: Logger,
        config: ReconciliationConfig,
      ) =>
        new PageProcessor({
          runs,
          findings,
          projections,
          platformOwned,
          repairer,
          requester,
          logger,
          settleMs: config.settleMs,
          pageRetryMaxMs: config.pageRetryMaxMs,
          throttledRetryMaxMs: config.throttledRetryMaxMs,
          guardrails: config.guardrails,
          repairEntities: config.repairEntities,
        }),
    },
    {
      provide: RunsService,
      inject: [DATA_SOURCE, RunsRepository, PageRequester, AuditLog, SERVICE_CONFIG],
      useFactory: (
        dataSource: DataSource,
        runs: RunsRepository,
        requester: PageRequester,
        audit: AuditLog,
        config: ReconciliationConfig,
      ) =>
        new RunsService(dataSource, runs, requester, audit, {
          repairEntities: config.repairEntities,
          overlapMs: config.overlapMs,
          initialLookbackMs: config.initialLookbackMs,
        }),
    },
    {
      provide: RunDriver,
      inject: [
        DATA_SOURCE,
        RunsRepository,
        FindingsRepository,
        RunsService,
        PageRequester,
        LOGGER,
        SERVICE_CONFIG,
      ],
      useFactory: (
        dataSource: DataSource,
        runs: RunsRepository,
        findings: FindingsRepository,
        service: RunsService,
        requester: PageRequester,
        logger: Logger,
        config: ReconciliationConfig,
      ) =>
        new RunDriver({
          dataSource,
          runs,
          findings,
          service,
          requester,
          logger,
          entities: config.entities,
          schedule: config.schedule,
          incrementalIntervalMs: config.incrementalIntervalMs,
          fullSweepIntervalMs: config.fullSweepIntervalMs,
          intervalMs: config.driverIntervalMs,
          metricsRefreshMs: config.metricsRefreshMs,
        }),
    },
  ],
})
export class RunsModule implements OnApplicationBootstrap {
  constructor(
    @Inject(RunDriver) private readonly driver: RunDriver,
    @Inject(ShutdownService) private readonly shutdown: ShutdownService,
  ) {}

  onApplicationBootstrap(): void {
    this.driver.start();
    this.shutdown.register('intake', 'reconciliation run driver', () => this.driver.stop());
  }
}
