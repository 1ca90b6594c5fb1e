import 'reflect-metadata';
import { eventCatalogue } from '@tributary/contracts';
import type { DomainEvent, EventOf, EventType } from '@tributary/contracts';
import { ReliableConsumer } from '@tributary/kafka';
import type { EventHandlerContext } from '@tributary/kafka';
import { activeTraceparent } from '@tributary/observability';
import type { Logger } from '@tributary/observability';
import { ExternalRefRepository, namesFor, schemaOf, withInbox } from '@tributary/persistence';
import type { Outbox } from '@tributary/persistence';
import { defineProblems } from '@tributary/service-kit';
import { orderingOf, startShapeSampling } from '@tributary/service-kit/backbone';
import type { Backbone } from '@tributary/service-kit/backbone';
import { ReadinessRegistry } from '@tributary/observability/nest';
import { BACKBONE, ServiceModule, ShutdownService, bootstrapService } from '@tributary/service-kit/nest';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { z } from 'zod';
import type { CommitContext, ConnectorDefinition, HandlerContext } from '../define-connector.js';
import { idempotencyKeyFor } from '../http/idempotency-key.js';
import {
  LateReplay,
  firstAttemptAt,
  hasKeyLifetime,
  keyMayHaveExpired,
  withEffectGuard,
} from '../late-replay.js';
import { ProviderHttpClient } from '../http/provider-http-client.js';
import { quotaShareOf } from '../http/quota-share.js';
import { connectorReadHandler, reconciliationGroupOf } from '../reconcile/read-handler.js';
import { loadConnectorConfig } from './connector-config.js';
import { logCredentials } from './credentials.js';
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

/** A connector serves no API of its own: only the problems every route can answer with. */
const connectorProblems = defineProblems({});

/**
 * The whole `main.ts` of a connector app: `await runConnector(definition)`. Config is checked first; then
 * the service kit's backbone (Postgres with migrations, Kafka, the registry, the outbox relay), the
 * provider client and a reliable consumer whose handler runs each event at most once through the inbox.
 * `/metrics` and `/health/*` are served; SIGTERM drains the consumer, then flushes the relay, then closes
 * the pools: the same lifecycle as every other service.
 */
export async function runConnector<TSchema extends z.ZodType, TClient>(
  definition: ConnectorDefinition<TSchema, TClient>,
  options: RunConnectorOptions = {},
): Promise<NestFastifyApplication> {
  const config = loadConnectorConfig(definition, options.env ?? process.env);
  return bootstrapService(
    ServiceModule.forRoot({ config: config.platform, problems: connectorProblems }),
    config.platform,
    { configure: (app) => startConnector(app, definition, config) },
  );
}

async function startConnector<TSchema extends z.ZodType, TClient>(
  app: NestFastifyApplication,
  definition: ConnectorDefinition<TSchema, TClient>,
  config: ConnectorConfig<z.output<TSchema>>,
): Promise<void> {
  const { platform } = config;
  const backbone = app.get<Backbone>(BACKBONE);
  const shutdown = app.get(ShutdownService);
  const { logger } = backbone;
  logCredentials(logger, definition.provider, platform.environment, config.credentials);

  const rateLimit = platform.provider.rateLimit
    ? { ...definition.limits?.rateLimit, ...platform.provider.rateLimit }
    : definition.limits?.rateLimit;
  const shapes = startShapeSampling({
    backbone,
    config: platform.providerShapes,
    surface: 'response',
    declarationOf: (_provider, operation) => definition.shapes?.[operation],
    shutdown,
  });
  const http = new ProviderHttpClient({
    provider: definition.provider,
    // A socket for every event the consumer may have in flight, and one for a reconciliation read: calls
    // wait for the provider's rate limit, never for a socket behind the consumer's own concurrency.
    connections: platform.consumer.concurrency * platform.consumer.keyConcurrency + 1,
    ...definition.limits,
    ...platform.provider,
    ...(rateLimit ? { rateLimit } : {}),
    ...definition.http(config.connector),
    ...(shapes ? { shapes } : {}),
  });
  shutdown.register('resources', 'provider http client', () => http.close());
  const client = definition.client(http, config.connector);

  const topics = topicsOf(definition).map((topic) => `${platform.kafka.topicPrefix}${topic}`);
  const consumer = new ReliableConsumer({
    kafka: backbone.kafka,
    groupId: platform.consumer.group,
    topics,
    decoder: backbone.decoder,
    retryTiers: [...platform.consumer.retryTiers],
    sessionTimeoutMs: platform.consumer.sessionTimeoutMs,
    partitionsConsumedConcurrently: platform.consumer.concurrency,
    keyConcurrency: platform.consumer.keyConcurrency,
    ordering: orderingOf(backbone, platform.consumer),
    // A connector deployed after the first requests must still act on them.
    fromBeginning: true,
    // The provider's quota is the group's, split like its partitions (docs/architecture.md#connectors).
    onAssignment: (assignment) => {
      const share = quotaShareOf(assignment, rateLimit?.requestsPerSecond);
      if (share === http.quotaShare) return;
      http.setQuotaShare(share);
      logger.info(
        {
          provider: definition.provider,
          partitions: assignment.assigned,
          of: assignment.total,
          share,
          pacingRate: http.pacingRate,
        },
        'provider quota share follows the partitions assigned',
      );
    },
    logger,
    handler: connectorHandler({
      definition,
      group: platform.consumer.group,
      connectorConfig: config.connector,
      dataSource: backbone.dataSource,
      outbox: backbone.outbox,
      client,
      logger,
    }),
  });
  const reads = readConsumer(definition, config, backbone, client);
  // A handler may publish to any catalogue topic (the CRM connector consumes payments and publishes
  // contacts): the backbone ensures them all before the consumer subscribes.
  await backbone.start();
  await consumer.start();
  shutdown.register('consumers', 'reliable consumer', () => consumer.stop());
  // Not ready while one of the group's retry or DLQ topics is missing and cannot be recreated.
  app.get(ReadinessRegistry).add(consumer.readiness());
  if (reads) {
    await reads.start();
    // Same phase as the event consumer: both drain before the relay flushes and the pools close.
    shutdown.register('consumers', 'reconciliation read consumer', () => reads.stop());
    app.get(ReadinessRegistry).add(reads.readiness());
  }
  logger.info(
    {
      topics,
      group: platform.consumer.group,
      provider: definition.provider,
      ...(reads
        ? { reconciliation: { group: reads.groupId, entities: Object.keys(definition.reconcile!) } }
        : {}),
    },
    'connector started',
  );
}

/**
 * The consumer of reconciliation reads, when the definition has readers: its own group
 * (`<group>.reconciliation`, so its tiers and DLQ are its own and a walk never queues behind events or the
 * other way round), one page at a time, the requests of a run in order on its key.
 */
function readConsumer<TSchema extends z.ZodType, TClient>(
  definition: ConnectorDefinition<TSchema, TClient>,
  config: ConnectorConfig<z.output<TSchema>>,
  backbone: Backbone,
  client: TClient,
): ReliableConsumer | undefined {
  const reconcile = definition.reconcile;
  if (!reconcile || Object.keys(reconcile).length === 0) return undefined;
  const { platform } = config;
  const group = reconciliationGroupOf(platform.consumer.group);
  return new ReliableConsumer({
    kafka: backbone.kafka,
    groupId: group,
    topics: [`${platform.kafka.topicPrefix}${eventCatalogue['reconciliation.read.requested'].topic}`],
    decoder: backbone.decoder,
    retryTiers: [...platform.consumer.retryTiers],
    sessionTimeoutMs: platform.consumer.sessionTimeoutMs,
    partitionsConsumedConcurrently: 1,
    // A request made before this connector's first start is still answered; the reconciler ignores answers
    // of runs it gave up on.
    fromBeginning: true,
    logger: backbone.logger,
    handler: connectorReadHandler({
      definition: { id: definition.id, provider: definition.provider, reconcile },
      group,
      connectorConfig: config.connector,
      dataSource: backbone.dataSource,
      outbox: backbone.outbox,
      client,
      logger: backbone.logger.child({ consumer: 'reconciliation' }),
    }),
  });
}

interface HandlerDeps<TConfig, TClient> {
  definition: Pick<ConnectorDefinition<z.ZodType, TClient>, 'id' | 'provider'> & {
    readonly handlers: object;
    readonly idempotency?: ConnectorDefinition['idempotency'];
  };
  /** The consumer group: the inbox rows are the group's. */
  group: string;
  connectorConfig: TConfig;
  dataSource: DataSource;
  outbox: Outbox;
  client: TClient;
  logger: Logger;
  /** Epoch ms; default Date.now. */
  now?: () => number;
}

/**
 * Routes an event to its handler with the inbox around it: an event already in the inbox is skipped
 * before any provider call; `ctx.commit` writes the inbox row with the handler's state and outbox rows.
 */
export function connectorHandler<TConfig, TClient>(deps: HandlerDeps<TConfig, TClient>) {
  const { definition, group, connectorConfig, dataSource, outbox, client } = deps;
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
    const { idempotency } = definition;
    const attemptedAt = firstAttemptAt(event, kafkaContext.headers);
    const late = new LateReplay(
      event,
      hasKeyLifetime(idempotency) ? idempotency.lateReplay[event.type as EventType] : undefined,
      keyMayHaveExpired(idempotency, attemptedAt, (deps.now ?? Date.now)()),
    );
    // A provider without keys (lifetime 0) looks up on every delivery: nothing worth a line each time.
    if (late.keyMayHaveExpired && hasKeyLifetime(idempotency) && idempotency.keyLifetimeMs > 0)
      logger.info(
        { firstAttemptAt: attemptedAt === undefined ? null : new Date(attemptedAt).toISOString() },
        'older than the provider keeps idempotency keys: the handler looks its effect up before calling',
      );
    const context: HandlerContext<TClient, TConfig> = {
      connectorId: definition.id,
      provider: client,
      config: connectorConfig,
      idempotencyKey: idempotencyKeyFor(definition.id, event.id),
      idempotencyKeyFor: (operation) => idempotencyKeyFor(definition.id, event.id, operation),
      attempt: kafkaContext.attempt,
      firstAttemptAt: attemptedAt,
      keyMayHaveExpired: late.keyMayHaveExpired,
      lookupBeforeCall: (find) => late.lookupBeforeCall(find),
      signal: kafkaContext.signal,
      heartbeat: () => kafkaContext.heartbeat(),
      logger,
      newEvent: <T extends EventType>(type: T, subject: string, data: EventOf<T>['data']) => {
        // The handler's span (the consumer's, a child of the event's), so the next hop continues this trace.
        const traceparent = activeTraceparent() ?? event.traceparent;
        return {
          id: uuidv7(),
          type,
          source,
          subject,
          time: new Date().toISOString(),
          data,
          correlationId: event.correlationId ?? event.id,
          causationId: event.id,
          ...(traceparent ? { traceparent } : {}),
        } as EventOf<T>;
      },
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
    await withEffectGuard(late.guard, () => handler(event, context));
    if (!committed) await withInbox(dataSource, group, event.id, async () => undefined);
  };
}
