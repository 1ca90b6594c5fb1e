import 'reflect-metadata';
import { eventCatalogue } from '@tributary/contracts';
import type { DomainEvent, EventDefinition, EventOf, EventType } from '@tributary/contracts';
import {
  AvroEventDecoder,
  AvroEventEncoder,
  KafkaEventProducer,
  ReliableConsumer,
  SchemaRegistryClient,
  createKafkaClient,
  ensureCatalogueTopics,
} from '@tributary/kafka';
import type { EventHandlerContext } from '@tributary/kafka';
import {
  createLogger,
  kafkaReadiness,
  postgresReadiness,
  schemaRegistryReadiness,
} from '@tributary/observability';
import { ObservabilityModule, ReadinessRegistry } from '@tributary/observability/nest';
import { LifecycleModule, ShutdownService, bootstrapApp } from '@tributary/service-kit/nest';
import type { Logger } from '@tributary/observability';
import {
  ExternalRefRepository,
  Outbox,
  OutboxRelay,
  createDataSource,
  namesFor,
  schemaOf,
  withInbox,
} from '@tributary/persistence';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { z } from 'zod';
import type { CommitContext, ConnectorDefinition, HandlerContext } from '../define-connector.js';
import { idempotencyKeyFor } from '../http/idempotency-key.js';
import { ProviderHttpClient } from '../http/provider-http-client.js';
import { loadConnectorConfig } from './connector-config.js';
import type { ConnectorConfig } from './connector-config.js';

export interface RunConnectorOptions {
  /** Default `process.env`. */
  env?: Record<string, string | undefined>;
}

/** The topics a connector consumes: those of its handled event types. */
export function topicsOf(definition: { readonly handlers: object }): string[] {
  const types = Object.keys(definition.handlers) as EventType[];
  return [...new Set(types.map((type) => eventCatalogue[type].topic))];
}

/**
 * The whole `main.ts` of a connector app: `await runConnector(definition)`. Config is checked first; then
 * Postgres (migrations), Kafka topics, the schema registry, the outbox relay, the provider client and a
 * reliable consumer whose handler runs each event at most once through the inbox. `/metrics` and
 * `/health/*` are served; SIGTERM drains the consumer, then flushes the relay, then closes the pools.
 */
export async function runConnector<TSchema extends z.ZodType, TClient>(
  definition: ConnectorDefinition<TSchema, TClient>,
  options: RunConnectorOptions = {},
): Promise<NestFastifyApplication> {
  const config = loadConnectorConfig(definition, options.env ?? process.env);
  const service = `connector-${definition.id}`;
  const logger = createLogger({ service, level: config.platform.logLevel });
  return bootstrapApp(
    {
      module: class ConnectorModule {},
      imports: [ObservabilityModule.forRoot({ service }), LifecycleModule.forRoot()],
    },
    {
      service,
      port: config.platform.port,
      logger,
      configure: (app) => startConnector(app, definition, config, logger),
    },
  );
}

async function startConnector<TSchema extends z.ZodType, TClient>(
  app: NestFastifyApplication,
  definition: ConnectorDefinition<TSchema, TClient>,
  config: ConnectorConfig<z.output<TSchema>>,
  logger: Logger,
): Promise<void> {
  const { platform } = config;
  const service = `connector-${definition.id}`;
  const shutdown = app.get(ShutdownService);
  const readiness = app.get(ReadinessRegistry);

  const dataSource = await createDataSource({
    url: platform.database.url,
    schema: platform.database.schema,
    createSchema: true,
    migrationsRun: true,
    applicationName: service,
  }).initialize();
  shutdown.register('resources', 'postgres pool', () => dataSource.destroy());

  const kafka = createKafkaClient({ clientId: service, brokers: platform.kafka.brokers, logger });
  const prefix = platform.kafka.topicPrefix;
  const topics = topicsOf(definition).map((topic) => `${prefix}${topic}`);
  // Brokers refuse auto-creation, and a handler may publish to any catalogue topic (the CRM connector
  // consumes payments and publishes contacts): all of them, as `tributary topics ensure` would.
  await ensureCatalogueTopics(kafka, { prefix });
  const registry = new SchemaRegistryClient({ url: platform.schemaRegistryUrl });
  const definitions: EventDefinition[] = Object.values(eventCatalogue).map((d) => ({
    ...d,
    topic: `${prefix}${d.topic}`,
  }));
  const encoder = new AvroEventEncoder({ registry, definitions });
  const decoder = new AvroEventDecoder({ registry, readerDefinitions: definitions });
  const outbox = new Outbox({ encoder });
  const producer = new KafkaEventProducer(kafka);
  await producer.connect();
  const relay = new OutboxRelay({
    dataSource,
    sink: producer,
    batchSize: platform.outboxBatchSize,
    applicationName: `${service}-relay`,
  });

  const http = new ProviderHttpClient({
    provider: definition.provider,
    ...definition.limits,
    ...platform.provider,
    ...(platform.provider.rateLimit
      ? { rateLimit: { ...definition.limits?.rateLimit, ...platform.provider.rateLimit } }
      : {}),
    ...definition.http(config.connector),
  });
  const client = definition.client(http, config.connector);

  const consumer = new ReliableConsumer({
    kafka,
    groupId: platform.kafka.consumerGroup,
    topics,
    decoder,
    retryTiers: platform.kafka.retryTiers,
    sessionTimeoutMs: platform.kafka.sessionTimeoutMs,
    partitionsConsumedConcurrently: platform.kafka.concurrency,
    // A connector deployed after the first requests must still act on them.
    fromBeginning: true,
    logger,
    handler: connectorHandler({ definition, config, dataSource, outbox, client, logger }),
  });

  const admin = kafka.admin();
  await admin.connect();
  readiness.add(postgresReadiness(dataSource));
  readiness.add(kafkaReadiness(() => admin.describeCluster()));
  readiness.add(schemaRegistryReadiness(platform.schemaRegistryUrl));

  await relay.start();
  await consumer.start();
  logger.info(
    { topics, group: platform.kafka.consumerGroup, provider: definition.provider },
    'connector started',
  );

  shutdown.register('consumers', 'reliable consumer', () => consumer.stop());
  shutdown.register('producers', 'outbox relay', () => relay.stop());
  shutdown.register('producers', 'kafka producer', () => producer.disconnect());
  shutdown.register('resources', 'provider http client', () => http.close());
  shutdown.register('resources', 'kafka admin', () => admin.disconnect());
}

interface HandlerDeps<TConfig, TClient> {
  definition: Pick<ConnectorDefinition<z.ZodType, TClient>, 'id' | 'provider'> & {
    readonly handlers: object;
  };
  config: ConnectorConfig<TConfig>;
  dataSource: DataSource;
  outbox: Outbox;
  client: TClient;
  logger: Logger;
}

/**
 * Routes an event to its handler with the inbox around it: an event already in the inbox is skipped
 * before any provider call; `ctx.commit` writes the inbox row with the handler's state and outbox rows.
 */
export function connectorHandler<TConfig, TClient>(deps: HandlerDeps<TConfig, TClient>) {
  const { definition, config, dataSource, outbox, client } = deps;
  const group = config.platform.kafka.consumerGroup;
  const refs = new ExternalRefRepository(dataSource);
  const { inboxTable } = namesFor(schemaOf(dataSource));
  const source = `/tributary/connector-${definition.id}`;

  return async (event: DomainEvent, kafkaContext: EventHandlerContext): Promise<void> => {
    const handler = (definition.handlers as Record<string, unknown>)[event.type] as
      ((event: DomainEvent, context: HandlerContext<TClient, TConfig>) => Promise<void>) | undefined;
    // Topics carry several event types (per-aggregate order); the ones without a handler are not ours.
    if (!handler) return;
    const seen = (await dataSource.query(
      `SELECT 1 FROM ${inboxTable} WHERE consumer_group = $1 AND event_id = $2`,
      [group, event.id],
    )) as unknown[];
    if (seen.length > 0) return;

    let committed = false;
    const logger = deps.logger.child({
      eventId: event.id,
      eventType: event.type,
      correlationId: event.correlationId,
    });
    const context: HandlerContext<TClient, TConfig> = {
      connectorId: definition.id,
      provider: client,
      config: config.connector,
      idempotencyKey: idempotencyKeyFor(definition.id, event.id),
      idempotencyKeyFor: (operation) => idempotencyKeyFor(definition.id, event.id, operation),
      attempt: kafkaContext.attempt,
      signal: kafkaContext.signal,
      heartbeat: () => kafkaContext.heartbeat(),
      logger,
      newEvent: <T extends EventType>(type: T, subject: string, data: EventOf<T>['data']) =>
        ({
          id: uuidv7(),
          type,
          source,
          subject,
          time: new Date().toISOString(),
          data,
          correlationId: event.correlationId ?? event.id,
          causationId: event.id,
          ...(event.traceparent ? { traceparent: event.traceparent } : {}),
        }) as EventOf<T>,
      commit: async <R>(work: (tx: CommitContext) => Promise<R>): Promise<R | undefined> => {
        if (committed) throw new Error(`handler of ${event.type} called commit twice`);
        const result = await withInbox(dataSource, group, event.id, (manager) =>
          work({
            manager,
            publish: async (...events) => {
              for (const produced of events) await outbox.publishEvent(manager, produced);
            },
            externalRefs: {
              upsert: (externalType, externalId, internalId) =>
                refs.upsert({ provider: definition.provider, externalType, externalId, internalId }, manager),
              find: (externalType, externalId) =>
                refs.find({ provider: definition.provider, externalType, externalId }, manager),
            },
          }),
        );
        committed = true;
        return result.outcome === 'processed' ? result.value : undefined;
      },
    };
    await handler(event, context);
    if (!committed) await withInbox(dataSource, group, event.id, async () => undefined);
  };
}
