import { randomUUID } from 'node:crypto';
import { Inject, Module } from '@nestjs/common';
import type { OnApplicationBootstrap } from '@nestjs/common';
import { KafkaEventProducer, SchemaRegistryClient } from '@tributary/kafka';
import type { Logger } from '@tributary/kafka';
import { TokenBucket } from '@tributary/service-kit';
import {
  DATA_SOURCE,
  KAFKA,
  KAFKA_ADMIN,
  LOGGER,
  SERVICE_CONFIG,
  ShutdownService,
} from '@tributary/service-kit/nest';
import type { Admin, Kafka } from 'kafkajs';
import { RetentionJob } from '@tributary/persistence';
import type { DataSource } from 'typeorm';
import type { DlqHandlerConfig } from '../dlq-handler.config.js';
import { DlqGauges } from '../metrics/dlq-gauges.js';
import { CaptureStore } from './capture-store.js';
import { deadLetterRetentionPolicies } from './dead-letter-retention.js';
import { DeadLettersController } from './dead-letters.controller.js';
import { DeadLettersService } from './dead-letters.service.js';
import { DlqConsumer } from './dlq.consumer.js';
import { GaugeQueries } from './gauge-queries.js';
import { OperatorCommands } from './operator-commands.js';
import { DeadLetterReadModel } from './read-model.js';
import { ReplayQueue } from './replay-queue.js';
import { findReplayed } from './replay-recovery.js';
import { ReplayStallMonitor } from './replay-stall.js';
import { ReplayDispatcher } from './replay.dispatcher.js';
import { TopicDirectory } from './topic-directory.js';

/**
 * Capture (DLQ consumer → table), the HTTP API, the replay dispatcher, the stalled-replay monitor and the
 * gauges, each over the part of the dead_letters table it owns. Every replica runs all of them and none needs
 * to run once per cluster: the consumer shares the DLQ partitions through its Kafka group (capture is
 * idempotent besides), the dispatcher claims rows (replay-queue.ts), the stall monitor flags each row in one
 * UPDATE (a row flagged by one replica is not by another) and the gauges only read. Retention (closed rows'
 * payload, then the rows) does run once per cluster: each batch under a cluster lock. Started after every
 * client is up; stopped in ShutdownService phases: the dispatcher, the monitor, the gauges and retention in
 * `intake`, the consumer in `consumers`, before the producer and the pool they use.
 */
@Module({
  controllers: [DeadLettersController],
  providers: [
    ...[CaptureStore, DeadLetterReadModel, GaugeQueries].map((store) => ({
      provide: store,
      inject: [DATA_SOURCE],
      useFactory: (dataSource: DataSource) => new store(dataSource),
    })),
    {
      provide: ReplayQueue,
      inject: [DATA_SOURCE, SERVICE_CONFIG],
      // One owner id per process: a restarted process treats its predecessor's claims as another's.
      useFactory: (dataSource: DataSource, config: DlqHandlerConfig) =>
        new ReplayQueue(dataSource, { owner: randomUUID(), leaseMs: config.replay.leaseMs }),
    },
    { provide: OperatorCommands, useValue: new OperatorCommands() },
    {
      provide: TopicDirectory,
      inject: [KAFKA_ADMIN],
      useFactory: (admin: Admin) => new TopicDirectory(admin),
    },
    {
      provide: ReplayDispatcher,
      inject: [ReplayQueue, KafkaEventProducer, TopicDirectory, SERVICE_CONFIG, LOGGER, KAFKA],
      useFactory: (
        queue: ReplayQueue,
        producer: KafkaEventProducer,
        topics: TopicDirectory,
        config: DlqHandlerConfig,
        logger: Logger,
        kafka: Kafka,
      ) =>
        new ReplayDispatcher({
          findReplayed: (topic, since, ids) => findReplayed(kafka, topic, since, ids),
          queue,
          sink: producer,
          topics,
          bucket: new TokenBucket({ ratePerSecond: config.replay.ratePerSecond, burst: config.replay.burst }),
          logger,
          batchSize: Math.max(config.replay.burst, 100),
        }),
    },
    {
      provide: DeadLettersService,
      inject: [
        DATA_SOURCE,
        CaptureStore,
        OperatorCommands,
        SchemaRegistryClient,
        TopicDirectory,
        ReplayDispatcher,
        SERVICE_CONFIG,
        LOGGER,
      ],
      useFactory: (
        dataSource: DataSource,
        capture: CaptureStore,
        commands: OperatorCommands,
        schemas: SchemaRegistryClient,
        topics: TopicDirectory,
        dispatcher: ReplayDispatcher,
        config: DlqHandlerConfig,
        logger: Logger,
      ) =>
        new DeadLettersService({
          dataSource,
          capture,
          commands,
          schemas,
          logger,
          bulkLimit: config.bulkLimit,
          replayTopics: topics,
          onReplayAccepted: () => dispatcher.wake(),
        }),
    },
    {
      provide: DlqConsumer,
      inject: [KAFKA, DeadLettersService, SERVICE_CONFIG, LOGGER],
      useFactory: (kafka: Kafka, service: DeadLettersService, config: DlqHandlerConfig, logger: Logger) =>
        new DlqConsumer({
          kafka,
          groupId: config.kafka.consumerGroup,
          handler: service,
          logger,
          refreshMs: config.kafka.topicRefreshMs,
          sessionTimeoutMs: config.kafka.sessionTimeoutMs,
        }),
    },
    {
      provide: ReplayStallMonitor,
      inject: [ReplayQueue, SERVICE_CONFIG, LOGGER],
      useFactory: (queue: ReplayQueue, config: DlqHandlerConfig, logger: Logger) =>
        new ReplayStallMonitor(queue, config.replay.stallAfterMs, logger),
    },
    {
      provide: RetentionJob,
      inject: [DATA_SOURCE, SERVICE_CONFIG, LOGGER],
      useFactory: (dataSource: DataSource, config: DlqHandlerConfig, logger: Logger) =>
        new RetentionJob({
          dataSource,
          policies: deadLetterRetentionPolicies(config.deadLetterRetention),
          ...config.deadLetterRetention,
          onEvent: (event) => {
            if (event.type === 'failed') {
              logger.warn(
                { err: event.error, table: event.policy },
                'dead letter retention failed; next run retries',
              );
            } else if (Object.values(event.removed).some((count) => count > 0)) {
              logger.info({ removed: event.removed }, 'dead letter retention scrubbed or deleted rows');
            }
          },
        }),
    },
    {
      provide: DlqGauges,
      inject: [GaugeQueries, SERVICE_CONFIG, LOGGER],
      useFactory: (queries: GaugeQueries, config: DlqHandlerConfig, logger: Logger) =>
        new DlqGauges(queries, config.metricsRefreshMs, logger),
    },
  ],
})
export class DeadLettersModule implements OnApplicationBootstrap {
  constructor(
    @Inject(DlqConsumer) private readonly consumer: DlqConsumer,
    @Inject(ReplayDispatcher) private readonly dispatcher: ReplayDispatcher,
    @Inject(DlqGauges) private readonly gauges: DlqGauges,
    @Inject(ReplayStallMonitor) private readonly stalls: ReplayStallMonitor,
    @Inject(ShutdownService) private readonly shutdown: ShutdownService,
    @Inject(RetentionJob) private readonly retention: RetentionJob,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.consumer.start();
    this.dispatcher.start();
    this.gauges.start();
    this.stalls.start();
    this.retention.start();
    this.shutdown.register('intake', 'replay dispatcher', () => this.dispatcher.stop());
    this.shutdown.register('intake', 'stalled replay monitor', () => this.stalls.stop());
    this.shutdown.register('intake', 'dlq gauges', () => this.gauges.stop());
    this.shutdown.register('intake', 'dead letter retention', () => this.retention.stop());
    this.shutdown.register('consumers', 'dlq consumer', () => this.consumer.stop());
  }
}
