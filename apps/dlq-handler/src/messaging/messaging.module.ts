import { Global, Inject, Module } from '@nestjs/common';
import type { OnApplicationBootstrap } from '@nestjs/common';
import { KafkaEventProducer, SchemaRegistryClient, createKafkaClient } from '@tributary/kafka';
import type { Logger } from '@tributary/kafka';
import {
  createLogger,
  kafkaReadiness,
  postgresReadiness,
  schemaRegistryReadiness,
} from '@tributary/observability';
import { ReadinessRegistry } from '@tributary/observability/nest';
import { ShutdownService } from '@tributary/service-kit/nest';
import { createDataSource } from '@tributary/persistence';
import type { Admin, Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { deadLetterMigrations } from '../dead-letters/migrations.js';
import { DLQ_HANDLER_CONFIG } from '../dlq-handler.config.js';
import type { DlqHandlerConfig } from '../dlq-handler.config.js';

export const KAFKA = Symbol('Kafka');
export const KAFKA_ADMIN = Symbol('KafkaAdmin');
export const DATA_SOURCE = Symbol('DataSource');
export const LOGGER = Symbol('Logger');

/**
 * The backbone clients of this service, built once from config: a Postgres DataSource (platform migrations,
 * incl. the audit log, then `dead_letters` and its later changes), the Kafka client and an admin client
 * (topic discovery, readiness), the schema registry (writer schemas to show Avro values), and the producer
 * replays go out through. Shutdown order comes from ShutdownService: the producer disconnects in `producers`, the admin and
 * the pool close in `resources`, after the consumer and the replay dispatcher stopped.
 */
@Global()
@Module({
  providers: [
    {
      provide: LOGGER,
      inject: [DLQ_HANDLER_CONFIG],
      useFactory: (config: DlqHandlerConfig): Logger =>
        createLogger({ service: 'dlq-handler', level: config.logLevel }),
    },
    {
      provide: DATA_SOURCE,
      inject: [DLQ_HANDLER_CONFIG],
      useFactory: async (config: DlqHandlerConfig) =>
        createDataSource({
          url: config.database.url,
          schema: config.database.schema,
          createSchema: true,
          migrationsRun: true,
          migrations: deadLetterMigrations,
          applicationName: 'dlq-handler',
        }).initialize(),
    },
    {
      provide: KAFKA,
      inject: [DLQ_HANDLER_CONFIG, LOGGER],
      useFactory: (config: DlqHandlerConfig, logger: Logger) =>
        createKafkaClient({ clientId: 'dlq-handler', brokers: config.kafka.brokers, logger }),
    },
    {
      provide: KAFKA_ADMIN,
      inject: [KAFKA],
      useFactory: async (kafka: Kafka) => {
        const admin = kafka.admin();
        await admin.connect();
        return admin;
      },
    },
    {
      provide: SchemaRegistryClient,
      inject: [DLQ_HANDLER_CONFIG],
      useFactory: (config: DlqHandlerConfig) => new SchemaRegistryClient({ url: config.schemaRegistryUrl }),
    },
    {
      provide: KafkaEventProducer,
      inject: [KAFKA],
      useFactory: async (kafka: Kafka) => {
        const producer = new KafkaEventProducer(kafka);
        await producer.connect();
        return producer;
      },
    },
  ],
  exports: [LOGGER, DATA_SOURCE, KAFKA, KAFKA_ADMIN, SchemaRegistryClient, KafkaEventProducer],
})
export class MessagingModule implements OnApplicationBootstrap {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(KAFKA_ADMIN) private readonly admin: Admin,
    @Inject(KafkaEventProducer) private readonly producer: KafkaEventProducer,
    @Inject(ShutdownService) private readonly shutdown: ShutdownService,
    @Inject(ReadinessRegistry) private readonly readiness: ReadinessRegistry,
    @Inject(DLQ_HANDLER_CONFIG) private readonly config: DlqHandlerConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.readiness.add(postgresReadiness(this.dataSource));
    this.readiness.add(kafkaReadiness(() => this.admin.describeCluster()));
    this.readiness.add(schemaRegistryReadiness(this.config.schemaRegistryUrl));
    this.shutdown.register('producers', 'kafka producer', () => this.producer.disconnect());
    this.shutdown.register('resources', 'kafka admin', () => this.admin.disconnect());
    this.shutdown.register('resources', 'postgres pool', () => this.dataSource.destroy());
  }
}
