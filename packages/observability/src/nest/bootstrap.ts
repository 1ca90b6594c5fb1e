import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { DynamicModule, Type } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createLogger } from '../logging/logger.js';
import type { Logger, LogLevel } from '../logging/logger.js';
import { PinoLoggerService } from './nest-logger.service.js';
import { metrics } from '../metrics.js';
import { ShutdownService } from './shutdown.service.js';

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
}

export const SHUTDOWN_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * The one `main.ts` lifecycle of every app:
 * 1. JSON logs through pino from the first line, Nest's own included.
 * 2. Fastify, answering 503 to new requests once shutdown starts while in-flight ones finish.
 * 3. On SIGTERM/SIGINT: HTTP stops, then the ShutdownService phases run (intake, consumers, producers,
 *    resources), then the process exits 0 — or 1 when a step failed or the deadline passed.
 *
 * ```ts
 * const config = loadConfig();
 * await bootstrapApp(AppModule, { service: 'ingestion', port: config.port, logLevel: config.logLevel });
 * ```
 * AppModule imports `ObservabilityModule.forRoot({ service, readiness })`.
 */
export async function bootstrapApp(
  rootModule: Type<unknown> | DynamicModule,
  options: BootstrapOptions,
): Promise<NestFastifyApplication> {
  const logger = options.logger ?? createLogger({ service: options.service, level: options.logLevel });
  const exitOnCrash = (kind: string) => (err: unknown) => {
    logger.fatal({ err }, kind);
    process.exit(1);
  };
  process.on('uncaughtException', exitOnCrash('uncaught exception'));
  process.on('unhandledRejection', exitOnCrash('unhandled rejection'));

  const app = await NestFactory.create<NestFastifyApplication>(
    rootModule,
    new FastifyAdapter({ bodyLimit: options.bodyLimit ?? 1024 * 1024 }),
    { logger: new PinoLoggerService(logger), return503OnClosing: true },
  );

  const http = instrumentHttp(app, { logger });
  exitOnSignal(app, logger, options.shutdownTimeoutMs ?? 25_000, http.startDraining);

  await options.configure?.(app);
  await app.listen(options.port, options.host ?? '0.0.0.0');
  logger.info({ url: await app.getUrl() }, 'listening');
  return app;
}

/**
 * Why not `app.enableShutdownHooks()`: Nest logs and swallows errors of shutdown hooks and then exits 0,
 * and it awaits the hooks without a limit. Here the same `app.close(signal)` runs the same hooks, but a
 * failed ShutdownService step gives exit status 1, a deadline ends a stuck drain with a log line before the
 * orchestrator's SIGKILL, and a second signal (Ctrl-C twice) exits at once.
 */
function exitOnSignal(
  app: NestFastifyApplication,
  logger: Logger,
  timeoutMs: number,
  startDraining: () => void,
): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) {
      logger.warn({ signal }, 'second signal during shutdown, exiting now');
      process.exit(1);
    }
    closing = true;
    startDraining();
    logger.info({ signal, timeoutMs }, 'shutdown requested');
    setTimeout(() => {
      logger.fatal({ signal, timeoutMs }, 'shutdown deadline passed, exiting');
      process.exit(1);
    }, timeoutMs).unref();

    // The application class takes the signal and hands it to `onApplicationShutdown`; the interface omits it.
    (app.close as (signal?: string) => Promise<void>).call(app, signal).then(
      () => {
        const failed = shutdownService(app)?.failed ?? false;
        logger.info({ signal, failed }, 'exiting');
        process.exit(failed ? 1 : 0);
      },
      (err: unknown) => {
        logger.fatal({ err, signal }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  for (const signal of SHUTDOWN_SIGNALS) process.on(signal, onSignal);
}

/**
 * Every app's HTTP server: request duration by route template and status, an access log, and keep-alive
 * connections released at shutdown. Nest answers new requests with 503 once closing and Fastify closes
 * idle connections, but a connection busy at that moment stays open after its response until the
 * keep-alive timeout (72 s in Fastify), past any shutdown deadline; from the signal on, responses say
 * `Connection: close`. bootstrapApp calls it; tests that build an app in process call it too.
 *
 * The access log line (method, route template, status, duration, request and correlation ids; never a
 * body or query string, which may carry personal data or a hostile payload) is written at debug, and at
 * warn when the request took longer than `slowRequestMs` (default 1 s): every request is one
 * LOG_LEVEL=debug away, slow ones are always visible.
 */
export function instrumentHttp(
  app: NestFastifyApplication,
  options: { logger?: Logger; slowRequestMs?: number } = {},
): { startDraining: () => void } {
  const fastify = app.getHttpAdapter().getInstance();
  const slowMs = options.slowRequestMs ?? 1_000;
  let draining = false;
  fastify.addHook('onSend', async (_request, reply) => {
    if (draining) void reply.header('connection', 'close');
  });
  fastify.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const durationMs = reply.elapsedTime;
    metrics.httpRequestDuration.observe(
      { method: request.method, route, status: String(reply.statusCode) },
      durationMs / 1000,
    );
    const logger = options.logger;
    if (!logger) return;
    const slow = durationMs > slowMs;
    if (!slow && !logger.isLevelEnabled('debug')) return;
    const correlation = request.headers['correlation-id'] ?? request.headers['x-request-id'];
    const line = {
      method: request.method,
      route,
      status: reply.statusCode,
      durationMs: Math.round(durationMs * 10) / 10,
      requestId: request.id,
      ...(typeof correlation === 'string' ? { correlationId: correlation.slice(0, 128) } : {}),
    };
    if (slow) logger.warn(line, 'slow request');
    else logger.debug(line, 'request');
  });
  return {
    startDraining: () => {
      draining = true;
    },
  };
}

function shutdownService(app: NestFastifyApplication): ShutdownService | undefined {
  try {
    return app.get(ShutdownService, { strict: false });
  } catch {
    return undefined; // The app does not import ObservabilityModule: nothing ordered to report on.
  }
}
