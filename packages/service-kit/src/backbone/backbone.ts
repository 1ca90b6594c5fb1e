import { setTimeout as delay } from 'node:timers/promises';
import { hostname } from 'node:os';
import { eventCatalogue } from '@tributary/contracts';
import type { EventDefinition } from '@tributary/contracts';
import { TributaryError } from '@tributary/contracts';
import {
  AvroEventDecoder,
  AvroEventEncoder,
  KafkaErrorCodes,
  KafkaEventProducer,
  SchemaRegistryClient,
  createKafkaClient,
  ensureCatalogueTopics,
  topicRecordSubject,
} from '@tributary/kafka';
import type { KeyParking, OrderingOptions } from '@tributary/kafka';
import { kafkaReadiness, postgresReadiness, schemaRegistryReadiness } from '@tributary/observability';
import type { Logger, ReadinessCheck } from '@tributary/observability';
import {
  AuditLog,
  Outbox,
  OutboxRelay,
  PostgresKeyParking,
  RetentionJob,
  createDataSource,
  platformRetentionPolicies,
  retentionConfigFrom,
} from '@tributary/persistence';
import type { Admin, Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import type { ShutdownStepSpec } from '../lifecycle/shutdown-phases.js';
import type { BackboneOptions } from './backbone-options.js';

/**
 * The clients every service talks through, built once from config: Postgres (migrations applied), Kafka
 * (client, admin, idempotent producer), the schema registry, the Avro encoder and decoder over the event
 * catalogue with this deployment's topic prefix, the outbox and its relay, the audit log.
 */
export interface Backbone {
  readonly service: string;
  readonly dataSource: DataSource;
  readonly kafka: Kafka;
  readonly admin: Admin;
  readonly registry: SchemaRegistryClient;
  /** Whether the encoder registers missing schemas (SCHEMA_AUTO_REGISTER); off in production by default. */
  readonly schemaAutoRegister: boolean;
  /** The catalogue's event definitions with this deployment's topic names (KAFKA_TOPIC_PREFIX applied). */
  readonly definitions: readonly EventDefinition[];
  readonly encoder: AvroEventEncoder;
  readonly decoder: AvroEventDecoder;
  readonly outbox: Outbox;
  readonly producer: KafkaEventProducer;
  /** Present when the service publishes through the outbox. */
  readonly relay: OutboxRelay | undefined;
  readonly audit: AuditLog;
  /** Where this service's consumer groups park records behind a key's head (ordering by key). */
  readonly keyParking: KeyParking;
  readonly logger: Logger;
  /** What `/health/ready` checks: Postgres, the Kafka cluster, the schema registry. */
  readonly readiness: readonly ReadinessCheck[];
  /**
   * Ensures the catalogue topics and looks up every schema (publishers), then starts the relay. Call once the
   * service's own components are built, before it takes traffic; later calls wait for the same start. With
   * auto-registration off, a publisher whose catalogue subjects are not all registered fails here
   * (SCHEMA_NOT_REGISTERED, naming them) instead of failing its first publish.
   */
  start(): Promise<void>;
  /**
   * The backbone's drain and close steps, by phase: the outbox drains and the relay and producer stop in
   * `producers` (after consumers committed), the admin client and the pool close in `resources`.
   */
  shutdownSteps(): ShutdownStepSpec[];
}

/** A consumer group's ordering (docs/architecture.md#ordering-and-concurrency), parked in the backbone's Postgres. */
export function orderingOf(
  backbone: Pick<Backbone, 'keyParking'>,
  consumer: { readonly ordering?: 'key' | 'none'; readonly onDeadLetter?: 'skip' | 'block' },
): OrderingOptions {
  return (consumer.ordering ?? 'key') === 'none'
    ? { mode: 'none' }
    : { mode: 'key', parking: backbone.keyParking, onDeadLetter: consumer.onDeadLetter ?? 'skip' };
}

/** The catalogue with `prefix` in front of every topic name. */
export function prefixedDefinitions(prefix: string): EventDefinition[] {
  return Object.values(eventCatalogue).map((definition) => ({
    ...definition,
    topic: `${prefix}${definition.topic}`,
  }));
}

/**
 * Opens the backbone: the pool (with migrations), the admin client and the producer are connected when
 * this resolves; nothing is consumed or published until `start()`. What opened before a failure is
 * closed again, so a boot that fails half way leaves no pool behind.
 */
export async function createBackbone(options: BackboneOptions): Promise<Backbone> {
  const { config, logger, service } = options;
  const publishes = options.publishes ?? true;
  const schemaAutoRegister = options.schemaAutoRegister ?? config.schemaAutoRegister ?? true;
  const retentionConfig = config.retention ?? retentionConfigFrom({});
  const opened: Array<() => Promise<unknown>> = [];
  try {
    const dataSource = await createDataSource({
      url: config.database.url,
      schema: config.database.schema,
      poolSize: config.database.poolSize,
      createSchema: true,
      migrationsRun: true,
      migrations: [...(options.migrations ?? [])],
      applicationName: service,
      // Replicas booting together take turns under the schema's lock: one applies, the others find nothing.
      onMigrations: ({ schema, applied, lockWaitMs }) =>
        logger.info(
          { schema, applied, lockWaitMs },
          applied.length > 0 ? `applied ${applied.length} migrations` : 'migrations up to date',
        ),
    }).initialize();
    opened.push(() => dataSource.destroy());

    // Inbox and audit log past their horizons (docs/architecture.md#retention), one replica at a time.
    const retention = new RetentionJob({
      dataSource,
      policies: platformRetentionPolicies(dataSource, retentionConfig),
      ...retentionConfig,
      onEvent: (event) => {
        if (event.type === 'failed')
          logger.warn({ err: event.error, table: event.policy }, 'retention failed; next run retries');
        else if (Object.values(event.removed).some((count) => count > 0))
          logger.info({ removed: event.removed }, 'retention removed rows');
      },
    });

    // Distinct per replica (docs/architecture.md#several-replicas): the broker's logs and the group's
    // member list tell replicas apart by client id, and replicas share the app's name. The host name
    // differs per container (where every app is pid 1), the pid per process on one machine.
    const clientId = `${service}-${hostname()}-${process.pid}`;
    const kafka = createKafkaClient({ clientId, brokers: config.kafka.brokers, logger });
    const admin = kafka.admin();
    await admin.connect();
    opened.push(() => admin.disconnect());
    const producer = new KafkaEventProducer(kafka);
    await producer.connect();
    opened.push(() => producer.disconnect());

    const registry = new SchemaRegistryClient({ url: config.schemaRegistryUrl });
    const definitions = prefixedDefinitions(config.kafka.topicPrefix);
    const encoder = new AvroEventEncoder({ registry, definitions, autoRegister: schemaAutoRegister });
    const outbox = new Outbox({ encoder });
    const relay = publishes
      ? new OutboxRelay({
          dataSource,
          sink: producer,
          batchSize: config.outboxBatchSize,
          shards: config.outboxShards,
          applicationName: `${service}-relay`,
        })
      : undefined;

    let started: Promise<void> | undefined;
    const start = async () => {
      if (publishes) {
        if (config.kafka.ensureTopics) {
          const created = await ensureCatalogueTopics(kafka, { prefix: config.kafka.topicPrefix });
          if (created.length > 0) logger.info({ topics: created }, 'created catalogue topics');
        }
        const subjects = definitions.map((d) => ({
          subject: topicRecordSubject(d.topic, d.recordName),
          schema: d.schema,
        }));
        if (schemaAutoRegister) {
          await Promise.all(subjects.map((s) => registry.idFor(s.subject, s.schema, { register: true })));
        } else {
          // Every catalogue event, not only the ones this service means to publish: the outbox encodes any
          // of them, and schemas:register registers them all at once anyway.
          const missing = await registry.unregisteredSubjects(subjects);
          if (missing.length > 0) {
            throw new TributaryError(
              KafkaErrorCodes.SCHEMA_NOT_REGISTERED,
              `${service} cannot start: SCHEMA_AUTO_REGISTER is off and the registry at ${config.schemaRegistryUrl} ` +
                `lacks ${missing.length} schema(s): ${missing.join(', ')}. Register them first: ` +
                `SCHEMA_REGISTRY_URL=${config.schemaRegistryUrl} npm run schemas:register` +
                (config.kafka.topicPrefix ? ` -- --topic-prefix ${config.kafka.topicPrefix}` : ''),
            );
          }
        }
      }
      relay?.start();
      retention.start();
      logger.info(
        { relay: relay !== undefined, batch: config.outboxBatchSize, schemaAutoRegister },
        'backbone started',
      );
    };

    return {
      service,
      dataSource,
      kafka,
      admin,
      registry,
      schemaAutoRegister,
      definitions,
      encoder,
      decoder: new AvroEventDecoder({ registry, readerDefinitions: definitions }),
      outbox,
      producer,
      relay,
      audit: new AuditLog(dataSource),
      keyParking: new PostgresKeyParking(dataSource),
      logger,
      readiness: [
        postgresReadiness(dataSource),
        kafkaReadiness(() => admin.describeCluster()),
        schemaRegistryReadiness(config.schemaRegistryUrl),
      ],
      start: () => (started ??= start()),
      shutdownSteps() {
        return [
          // One step, in order: steps of a phase run concurrently, and the relay's last batch needs the
          // producer.
          {
            phase: 'producers',
            name: relay ? 'outbox drain, relay, kafka producer' : 'kafka producer',
            run: async () => {
              if (relay) {
                await drainOutbox(relay, options.outboxDrainMs ?? 5_000);
                await relay.stop();
              }
              await producer.disconnect();
            },
          },
          { phase: 'producers', name: 'retention', run: () => retention.stop() },
          { phase: 'resources', name: 'kafka admin', run: () => admin.disconnect() },
          { phase: 'resources', name: 'postgres pool', run: () => dataSource.destroy() },
        ];
      },
    };
  } catch (error) {
    for (const close of opened.reverse()) await close().catch(() => undefined);
    throw error;
  }
}

/**
 * By the time this runs HTTP and the consumers have stopped, so nothing new is written: give the relay a
 * moment to publish what they committed to the shards it holds, so a deploy does not leave acknowledged
 * events waiting for the next process. Other replicas' shards are theirs. Not needed for correctness (the
 * rows stay for the next relay), hence bounded.
 */
async function drainOutbox(relay: OutboxRelay, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (relay.active && Date.now() < deadline) {
    if (!(await relay.pendingInHeldShards())) return;
    await delay(50);
  }
}
