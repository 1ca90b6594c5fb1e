import { Global, Inject, Logger, Module } from '@nestjs/common';
import type { OnApplicationBootstrap } from '@nestjs/common';
import { eventCatalogue } from '@tributary/contracts';
import {
  AvroEventDecoder,
  AvroEventEncoder,
  KafkaEventProducer,
  SchemaRegistryClient,
  createKafkaClient,
  ensureCatalogueTopics,
  kafkaConsumerLagSource,
} from '@tributary/kafka';
import { ConsumerLagCollector, kafkaReadiness, postgresReadiness } from '@tributary/observability';
import { ShutdownService, ReadinessRegistry } from '@tributary/observability/nest';
import { Outbox, OutboxRelay, createDataSource } from '@tributary/persistence';
import type { Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { EXAMPLE_SERVICE_CONFIG } from '../example-service.config.js';
import type { ExampleServiceConfig } from '../example-service.config.js';
import { AddCheckout1764979200000 } from '../checkout/checkout.migration.js';
import { CreateOrders1764288000000 } from '../orders/orders.migration.js';

export const KAFKA = Symbol('Kafka');

/** Published to (orders, payment and shipment requests) and consumed (orders, payments, shipments). */
export const EXAMPLE_SERVICE_TOPICS = [
  'commerce.order.v1',
  'payments.payment.v1',
  'logistics.shipment.v1',
] as const;
export const DATA_SOURCE = Symbol('DataSource');

/**
 * The backbone clients of this service, built once from config: a Postgres DataSource (migrations run at
 * boot), the Kafka client, the schema registry, an Avro encoder and decoder over the event catalogue, the
 * outbox and its relay. Shutdown order comes from ShutdownService: the relay flushes in `producers`, the
 * pool closes in `resources`, after consumers have drained.
 */
@Global()
@Module({
  providers: [
    {
      provide: DATA_SOURCE,
      inject: [EXAMPLE_SERVICE_CONFIG],
      useFactory: async (config: ExampleServiceConfig) =>
        createDataSource({
          url: config.database.url,
          schema: config.database.schema,
          createSchema: true,
          migrationsRun: true,
          migrations: [CreateOrders1764288000000, AddCheckout1764979200000],
          applicationName: 'example-service',
        }).initialize(),
    },
    {
      provide: KAFKA,
      inject: [EXAMPLE_SERVICE_CONFIG],
      useFactory: async (config: ExampleServiceConfig) => {
        const kafka = createKafkaClient({ clientId: 'example-service', brokers: config.kafka.brokers });
        // Brokers refuse auto-creation; the topics it publishes to and consumes must exist before the relay
        // and the consumer start.
        await ensureCatalogueTopics(kafka, {
          prefix: config.kafka.topicPrefix,
          topics: [...EXAMPLE_SERVICE_TOPICS],
        });
        return kafka;
      },
    },
    {
      provide: SchemaRegistryClient,
      inject: [EXAMPLE_SERVICE_CONFIG],
      useFactory: (config: ExampleServiceConfig) =>
        new SchemaRegistryClient({ url: config.schemaRegistryUrl }),
    },
    {
      provide: AvroEventEncoder,
      inject: [SchemaRegistryClient, EXAMPLE_SERVICE_CONFIG],
      useFactory: (registry: SchemaRegistryClient, config: ExampleServiceConfig) =>
        new AvroEventEncoder({
          registry,
          definitions: Object.values(eventCatalogue).map((d) => ({
            ...d,
            topic: `${config.kafka.topicPrefix}${d.topic}`,
          })),
        }),
    },
    {
      provide: AvroEventDecoder,
      inject: [SchemaRegistryClient],
      useFactory: (registry: SchemaRegistryClient) =>
        new AvroEventDecoder({ registry, readerDefinitions: Object.values(eventCatalogue) }),
    },
    {
      provide: Outbox,
      inject: [AvroEventEncoder],
      useFactory: (encoder: AvroEventEncoder) => new Outbox({ encoder }),
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
      inject: [DATA_SOURCE, KafkaEventProducer, EXAMPLE_SERVICE_CONFIG],
      useFactory: (dataSource: DataSource, producer: KafkaEventProducer, config: ExampleServiceConfig) =>
        new OutboxRelay({
          dataSource,
          sink: producer,
          batchSize: config.outboxBatchSize,
          applicationName: 'example-service-relay',
        }),
    },
  ],
  exports: [DATA_SOURCE, KAFKA, SchemaRegistryClient, AvroEventEncoder, AvroEventDecoder, Outbox],
})
export class MessagingModule implements OnApplicationBootstrap {
  private readonly logger = new Logger(MessagingModule.name);

  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(KAFKA) private readonly kafka: Kafka,
    private readonly producer: KafkaEventProducer,
    private readonly relay: OutboxRelay,
    private readonly shutdown: ShutdownService,
    private readonly readiness: ReadinessRegistry,
    @Inject(EXAMPLE_SERVICE_CONFIG) private readonly config: ExampleServiceConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    this.readiness.add(postgresReadiness(this.dataSource));
    this.readiness.add(kafkaReadiness(() => admin.describeCluster()));
    // This service also exports consumer lag for the cluster (kafka-lag-exporter names); run one exporter
    // per cluster, so other services leave CONSUMER_LAG_EXPORTER off.
    if (this.config.consumerLagExporter) {
      const lag = new ConsumerLagCollector({ source: kafkaConsumerLagSource(admin) });
      lag.start();
      this.shutdown.register('resources', 'consumer lag collector', () => lag.stop());
    }
    await this.relay.start();
    this.logger.log(`outbox relay started (batch ${this.config.outboxBatchSize})`);
    // One ordered step: steps of a phase run concurrently, and the relay's last batch needs the producer.
    this.shutdown.register('producers', 'outbox relay, then kafka producer', async () => {
      await this.relay.stop();
      await this.producer.disconnect();
    });
    this.shutdown.register('resources', 'kafka admin', () => admin.disconnect());
    this.shutdown.register('resources', 'postgres pool', () => this.dataSource.destroy());
  }
}
