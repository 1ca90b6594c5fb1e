import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from '@tributary/observability';
import { ShutdownService } from './shutdown.service.js';

export const SHUTDOWN_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/** A crash the process cannot reason about: logged as fatal, then exit 1 for the orchestrator to restart. */
export function exitOnCrash(logger: Logger): void {
  const exit = (kind: string) => (err: unknown) => {
    logger.fatal({ err }, kind);
    process.exit(1);
  };
  process.on('uncaughtException', exit('uncaught exception'));
  process.on('unhandledRejection', exit('unhandled rejection'));
}

/**
 * Why not `app.enableShutdownHooks()`: Nest logs and swallows errors of shutdown hooks and then exits 0,
 * and it awaits the hooks without a limit. Here the same `app.close(signal)` runs the same hooks, but a
 * failed ShutdownService step gives exit status 1, a deadline ends a stuck drain with a log line before the
 * orchestrator's SIGKILL, and a second signal (Ctrl-C twice) exits at once.
 */
export function exitOnSignal(
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

function shutdownService(app: NestFastifyApplication): ShutdownService | undefined {
  try {
    return app.get(ShutdownService, { strict: false });
  } catch {
    return undefined; // The app does not import LifecycleModule: nothing ordered to report on.
  }
}
