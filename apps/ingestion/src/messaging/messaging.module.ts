import { setTimeout as delay } from 'node:timers/promises';
import { Global, Inject, Logger, Module } from '@nestjs/common';
import type { OnApplicationBootstrap } from '@nestjs/common';
import { eventCatalogue } from '@tributary/contracts';
import type { EventDefinition } from '@tributary/contracts';
import {
  AvroEventEncoder,
  KafkaEventProducer,
  SchemaRegistryClient,
  createKafkaClient,
  ensureCatalogueTopics,
  topicRecordSubject,
} from '@tributary/kafka';
import { kafkaReadiness, postgresReadiness, schemaRegistryReadiness } from '@tributary/observability';
import { ReadinessRegistry } from '@tributary/observability/nest';
import { ShutdownService } from '@tributary/service-kit/nest';
import { AuditLog, Outbox, OutboxRelay, createDataSource, namesFor, schemaOf } from '@tributary/persistence';
import type { Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { CreateApiKeys1764460800001 } from '../api-keys/api-keys.migration.js';
import { CreateEventLog1764460800000 } from '../event-log/event-log.migration.js';
import { INGESTION_CONFIG } from '../ingestion.config.js';
import type { IngestionConfig } from '../ingestion.config.js';

/** Longest a graceful shutdown waits for the relay to publish committed rows (below the 10 s step timeout). */
const OUTBOX_DRAIN_MS = 5000;

export const KAFKA = Symbol('Kafka');
export const DATA_SOURCE = Symbol('DataSource');
/** The catalogue's event definitions with this deployment's topic names (KAFKA_TOPIC_PREFIX applied). */
export const EVENT_DEFINITIONS = Symbol('EventDefinitions');

export function prefixedDefinitions(prefix: string): EventDefinition[] {
  return Object.values(eventCatalogue).map((definition) => ({
    ...definition,
    topic: `${prefix}${definition.topic}`,
  }));
}

/**
 * The backbone clients, built once from config, as in apps/example-service: Postgres (platform and app
 * migrations run at boot), Kafka, the schema registry, the Avro encoder over the catalogue, the outbox and
 * its relay, the audit log. At boot the catalogue topics are created when missing (brokers refuse
 * auto-creation) and every schema id is looked up, so the first request neither waits for the registry nor
 * fails on a missing topic. Shutdown: the outbox drains and the relay stops in `producers`, pools close in
 * `resources`.
 */
@Global()
@Module({
  providers: [
    {
      provide: DATA_SOURCE,
      inject: [INGESTION_CONFIG],
      useFactory: async (config: IngestionConfig) =>
        createDataSource({
          url: config.database.url,
          schema: config.database.schema,
          poolSize: config.database.poolSize,
          createSchema: true,
          migrationsRun: true,
          migrations: [CreateEventLog1764460800000, CreateApiKeys1764460800001],
          applicationName: 'ingestion',
        }).initialize(),
    },
    {
      provide: KAFKA,
      inject: [INGESTION_CONFIG],
      useFactory: (config: IngestionConfig) =>
        createKafkaClient({ clientId: 'ingestion', brokers: config.kafka.brokers }),
    },
    {
      provide: EVENT_DEFINITIONS,
      inject: [INGESTION_CONFIG],
      useFactory: (config: IngestionConfig) => prefixedDefinitions(config.kafka.topicPrefix),
    },
    {
      provide: SchemaRegistryClient,
      inject: [INGESTION_CONFIG],
      useFactory: (config: IngestionConfig) => new SchemaRegistryClient({ url: config.schemaRegistryUrl }),
    },
    {
      provide: AvroEventEncoder,
      inject: [SchemaRegistryClient, EVENT_DEFINITIONS],
      useFactory: (registry: SchemaRegistryClient, definitions: EventDefinition[]) =>
        new AvroEventEncoder({ registry, definitions }),
    },
    {
      provide: Outbox,
      inject: [AvroEventEncoder],
      useFactory: (encoder: AvroEventEncoder) => new Outbox({ encoder }),
    },
    {
      provide: AuditLog,
      inject: [DATA_SOURCE],
      useFactory: (dataSource: DataSource) => new AuditLog(dataSource),
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
    {
      provide: OutboxRelay,
      inject: [DATA_SOURCE, KafkaEventProducer, INGESTION_CONFIG],
      useFactory: (dataSource: DataSource, producer: KafkaEventProducer, config: IngestionConfig) =>
        new OutboxRelay({
          dataSource,
          sink: producer,
          batchSize: config.outboxBatchSize,
          applicationName: 'ingestion-relay',
        }),
    },
  ],
  exports: [DATA_SOURCE, KAFKA, EVENT_DEFINITIONS, SchemaRegistryClient, AvroEventEncoder, Outbox, AuditLog],
})
export class MessagingModule implements OnApplicationBootstrap {
  private readonly logger = new Logger(MessagingModule.name);

  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(EVENT_DEFINITIONS) private readonly definitions: EventDefinition[],
    private readonly registry: SchemaRegistryClient,
    private readonly producer: KafkaEventProducer,
    private readonly relay: OutboxRelay,
    private readonly shutdown: ShutdownService,
    private readonly readiness: ReadinessRegistry,
    @Inject(INGESTION_CONFIG) private readonly config: IngestionConfig,
  ) {}

  /** Creates the missing catalogue topics; waits until every partition has a leader. */
  private async provisionTopics(): Promise<void> {
    const created = await ensureCatalogueTopics(this.kafka, { prefix: this.config.kafka.topicPrefix });
    if (created.length > 0) this.logger.log(`created topics ${created.join(', ')}`);
  }

  /**
   * By now HTTP is closed, so nothing new is written: give the relay a moment to publish what requests
   * committed, so that a deploy does not leave acknowledged events waiting for the next process. Not needed
   * for correctness (the rows stay in the outbox for the next relay), hence bounded and best effort.
   */
  private async drainOutbox(timeoutMs: number): Promise<void> {
    const { outboxTable } = namesFor(schemaOf(this.dataSource));
    const deadline = Date.now() + timeoutMs;
    while (this.relay.active && Date.now() < deadline) {
      const rows = (await this.dataSource.query(
        `SELECT EXISTS (SELECT 1 FROM ${outboxTable} WHERE published_at IS NULL) AS pending`,
      )) as Array<{ pending: boolean }>;
      if (!rows[0]?.pending) return;
      await delay(50);
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.kafka.ensureTopics) await this.provisionTopics();
    await Promise.all(
      this.definitions.map((d) =>
        this.registry.idFor(topicRecordSubject(d.topic, d.recordName), d.schema, { register: true }),
      ),
    );
    const admin = this.kafka.admin();
    await admin.connect();
    this.readiness.add(postgresReadiness(this.dataSource));
    this.readiness.add(kafkaReadiness(() => admin.describeCluster()));
    this.readiness.add(schemaRegistryReadiness(this.config.schemaRegistryUrl));
    this.relay.start();
    this.logger.log(`outbox relay started (batch ${this.config.outboxBatchSize})`);
    // One step, in order: steps of a phase run concurrently, and the relay's last batch needs the producer.
    this.shutdown.register('producers', 'outbox drain, relay, kafka producer', async () => {
      await this.drainOutbox(OUTBOX_DRAIN_MS);
      await this.relay.stop();
      await this.producer.disconnect();
    });
    this.shutdown.register('resources', 'kafka admin', () => admin.disconnect());
    this.shutdown.register('resources', 'postgres pool', () => this.dataSource.destroy());
  }
}
