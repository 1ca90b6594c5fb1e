import { Inject, Module } from '@nestjs/common';
import type { OnApplicationBootstrap } from '@nestjs/common';
import { createConsumerLagMetrics, registry } from '@tributary/observability';
import type { Logger } from '@tributary/observability';
import { pgConfigOf, schemaOf } from '@tributary/persistence';
import {
  DATA_SOURCE,
  KAFKA_ADMIN,
  LOGGER,
  SERVICE_CONFIG,
  ShutdownService,
} from '@tributary/service-kit/nest';
import type { Admin } from 'kafkajs';
import type { DataSource } from 'typeorm';
import type { LagExporterConfig } from '../lag-exporter.config.js';
import { ConsumerLagCollector } from './consumer-lag.collector.js';
import { catalogueDeprecatedTopics, createDeprecatedReaderMetrics } from './deprecated-readers.js';
import { AdvisoryLockLeadership } from './exporter-lock.js';
import { kafkaConsumerLagSource } from './kafka-lag-source.js';
import { PostgresOffsetHistory } from './postgres-offset-history.js';

/**
 * The collector over the backbone's admin client and pool, on the registry /metrics serves. It polls from
 * bootstrap and stops in `resources`, releasing the exporter lock so a standby takes over at its next poll.
 */
@Module({
  providers: [
    {
      provide: ConsumerLagCollector,
      inject: [SERVICE_CONFIG, KAFKA_ADMIN, DATA_SOURCE, LOGGER],
      useFactory: (config: LagExporterConfig, admin: Admin, dataSource: DataSource, logger: Logger) =>
        new ConsumerLagCollector({
          source: kafkaConsumerLagSource(admin),
          metrics: createConsumerLagMetrics(registry),
          history: new PostgresOffsetHistory(dataSource),
          leadership: new AdvisoryLockLeadership(
            { ...pgConfigOf(dataSource), application_name: 'lag-exporter-lock' },
            `${schemaOf(dataSource)}.lag-exporter`,
            (err) => logger.warn({ err }, 'lag exporter lock connection failed'),
          ),
          pollIntervalMs: config.lag.pollIntervalMs,
          historyWindowMs: config.lag.historyWindowMs,
          groups: config.lag.groups,
          deprecatedTopics: catalogueDeprecatedTopics(config.kafka.topicPrefix),
          deprecatedReaders: createDeprecatedReaderMetrics(registry),
          logger,
        }),
    },
  ],
})
export class LagExporterModule implements OnApplicationBootstrap {
  constructor(
    @Inject(ConsumerLagCollector) private readonly collector: ConsumerLagCollector,
    @Inject(ShutdownService) private readonly shutdown: ShutdownService,
  ) {}

  onApplicationBootstrap(): void {
    this.collector.start();
    this.shutdown.register('resources', 'consumer lag exporter', () => this.collector.stop());
  }
}
