import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { DynamicModule, Type } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { TributaryKafkaServer } from '@tributary/kafka/nest';
import { createLogger, startTracing } from '@tributary/observability';
import type { Logger, LogLevel, TracingOptions } from '@tributary/observability';
import { PinoLoggerService, ReadinessRegistry } from '@tributary/observability/nest';
import type { ReliableConsumer } from '@tributary/kafka';
import { orderingOf } from '../../backbone/backbone.js';
import type { Backbone } from '../../backbone/backbone.js';
import type { ProcessConfig } from '../../config/service-config.js';
import { recordServedRoutes } from '../http/served-routes.js';
import { isJsonBodyError } from '../../http/errors.js';
import { jsonBodyProblem, parseStrictJson } from '../../http/strict-json.js';
import type { ServiceModuleOptions } from '../service-module-options.js';
import { BACKBONE, SERVICE_OPTIONS } from '../tokens.js';
import { instrumentHttp } from './http-instrumentation.js';
import { tracedServerFactory } from './http-tracing.js';
import { ShutdownService } from './shutdown.service.js';
import { exitOnCrash, exitOnSignal } from './signals.js';

export interface BootstrapOptions {
  /** App name; every log line carries it. */
  service: string;
  port: number;
  /** Default `0.0.0.0`: apps run in containers. */
  host?: string;
  logLevel?: LogLevel;
  /** Default: `createLogger({ service, level: logLevel })`. */
  logger?: Logger;
  /**
   * Hard deadline from the first SIGTERM/SIGINT to exit. Keep it below the orchestrator's grace period
   * (Kubernetes: 30 s) so the process exits on its own terms and logs why. Default 25 s.
   */
  shutdownTimeoutMs?: number;
  /** Largest request body in bytes (Fastify `bodyLimit`). Default 1 MiB. */
  bodyLimit?: number;
  /** Last chance to configure the app (pipes, filters, raw body parsers) before it listens. */
  configure?: (app: NestFastifyApplication) => void | Promise<void>;
  /** The OpenTelemetry SDK, started before anything else (ProcessConfig.tracing); absent: none. */
  tracing?: TracingOptions;
}

/**
 * The one process lifecycle of every app:
 * 1. JSON logs through pino from the first line, Nest's own included; the OpenTelemetry SDK (spans are
 *    flushed in the `resources` phase).
 * 2. Fastify, answering 503 to new requests once shutdown starts while in-flight ones finish; every request
 *    in a server span.
 * 3. On SIGTERM/SIGINT: HTTP stops, then the ShutdownService phases run (intake, consumers, producers,
 *    resources), then the process exits 0 — or 1 when a step failed or the deadline passed.
 *
 * Services call `bootstrapService`, which fills these options from their config; this is the layer under
 * it, for an app without the backbone (the connector runtime builds its own).
 */
export async function bootstrapApp(
  rootModule: Type<unknown> | DynamicModule,
  options: BootstrapOptions,
): Promise<NestFastifyApplication> {
  const logger = options.logger ?? createLogger({ service: options.service, level: options.logLevel });
  exitOnCrash(logger);
  const tracing = options.tracing ? await startTracing(options.tracing) : undefined;
  const app = await NestFactory.create<NestFastifyApplication>(
    rootModule,
    new FastifyAdapter({ bodyLimit: options.bodyLimit ?? 1024 * 1024, serverFactory: tracedServerFactory }),
    { logger: new PinoLoggerService(logger), return503OnClosing: true },
  );
  if (tracing) {
    // In the last phase: the drains and the relay's flush before it still write spans.
    app.get(ShutdownService, { strict: false }).register('resources', 'tracing', () => tracing.shutdown());
  }
  const http = instrumentHttp(app, { logger });
  exitOnSignal(app, logger, options.shutdownTimeoutMs ?? 25_000, http.startDraining);
  recordServedRoutes(app);
  await options.configure?.(app);
  await app.listen(options.port, options.host ?? '0.0.0.0');
  logger.info({ url: await app.getUrl() }, 'listening');
  return app;
}

export interface ServiceAppOptions {
  /**
   * Every body reaches the handlers as the exact bytes received, whatever the content type. Webhook
   * signatures are computed over those bytes, so nothing may parse (and so normalize) them first; contract
   * routes parse JSON bodies themselves (`@Input()`).
   */
  readonly rawBody?: boolean;
  /** Anything else before the app listens. */
  readonly configure?: (app: NestFastifyApplication) => void | Promise<void>;
}

/**
 * A service's `main.ts`:
 *
 * ```ts
 * const config = loadConfig();
 * await bootstrapService(AppModule.forRoot(config), config);
 * ```
 *
 * The root module mounts `ServiceModule.forRoot(...)`; when it declares a consumer, the Kafka transport is
 * attached and started before HTTP listens. Nest closes transports before the shutdown phases run, so the
 * consumer has drained before the relay and the pool it writes through close.
 */
export function bootstrapService(
  rootModule: DynamicModule,
  config: ProcessConfig,
  options: ServiceAppOptions = {},
): Promise<NestFastifyApplication> {
  return bootstrapApp(rootModule, {
    service: config.service,
    port: config.port,
    logLevel: config.logLevel,
    bodyLimit: config.bodyLimitBytes,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    ...(config.tracing ? { tracing: config.tracing } : {}),
    configure: (app) => configureService(app, config, options),
  });
}

/**
 * A service app built in this process exactly as `bootstrapService` builds it, without signal handling and
 * without listening: for tests that drive a service over HTTP in process.
 */
export async function createServiceApp(
  rootModule: DynamicModule,
  config: ProcessConfig,
  options: ServiceAppOptions & { readonly logger?: Logger } = {},
): Promise<NestFastifyApplication> {
  const logger = options.logger ?? createLogger({ service: config.service, level: config.logLevel });
  const app = await NestFactory.create<NestFastifyApplication>(
    rootModule,
    new FastifyAdapter({ bodyLimit: config.bodyLimitBytes, serverFactory: tracedServerFactory }),
    { logger: new PinoLoggerService(logger) },
  );
  instrumentHttp(app, { logger });
  recordServedRoutes(app);
  await configureService(app, config, options);
  return app;
}

async function configureService(
  app: NestFastifyApplication,
  config: ProcessConfig,
  options: ServiceAppOptions,
): Promise<void> {
  if (options.rawBody) keepRawBodies(app, config.bodyLimitBytes);
  else parseJsonStrictly(app, config.bodyLimitBytes);
  await options.configure?.(app);
  const service = app.get<ServiceModuleOptions>(SERVICE_OPTIONS, { strict: false });
  if (service.consumer) {
    const { consumer } = service;
    const backbone = app.get<Backbone>(BACKBONE, { strict: false });
    // The topics the consumer reads must exist before it subscribes (brokers refuse auto-creation).
    await backbone.start();
    const prefix = service.config.kafka.topicPrefix;
    const server = new TributaryKafkaServer({
      kafka: backbone.kafka,
      decoder: backbone.decoder,
      groupId: consumer.group,
      topics: consumer.topics.map((topic) => `${prefix}${topic}`),
      ignoredEventTypes: consumer.ignoredEventTypes ?? [],
      retryTiers: [...consumer.retryTiers],
      sessionTimeoutMs: consumer.sessionTimeoutMs,
      ordering: orderingOf(backbone, consumer),
      createTopics: true,
      fromBeginning: consumer.fromBeginning ?? true,
      logger: backbone.logger,
    });
    app.connectMicroservice({ strategy: server });
    await app.startAllMicroservices();
    // Not ready while one of the group's retry or DLQ topics is missing and cannot be recreated.
    app.get(ReadinessRegistry, { strict: false }).add(server.unwrap<ReliableConsumer>().readiness());
  }
}

function keepRawBodies(app: NestFastifyApplication, bodyLimitBytes: number): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.removeAllContentTypeParsers();
  // A catch-all parser also makes Nest skip its JSON and urlencoded defaults.
  app.useBodyParser('*', { bodyLimit: bodyLimitBytes }, (_request, body, done) => done(null, body));
}

/**
 * Fastify's JSON parser decodes bad UTF-8 as U+FFFD and lets a duplicated member's last value win; apps
 * that do not keep raw bodies (and their `@Body()` handlers) get the kit's strict reader instead.
 */
function parseJsonStrictly(app: NestFastifyApplication, bodyLimitBytes: number): void {
  app.useBodyParser('application/json', { bodyLimit: bodyLimitBytes }, (_request, body, done) => {
    try {
      done(null, parseStrictJson(body));
    } catch (error) {
      done(isJsonBodyError(error) ? jsonBodyProblem(error) : (error as Error), undefined);
    }
  });
}

/** The raw body Fastify kept (see ServiceAppOptions.rawBody); empty for bodiless requests. */
export function rawBodyOf(request: { body?: unknown }): Buffer {
  return Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
}
