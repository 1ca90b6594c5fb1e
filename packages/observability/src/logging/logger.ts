import { pino } from 'pino';
import type { DestinationStream, Level, Logger as PinoLogger } from 'pino';
import { activeSpanIds } from '../tracing/trace-context.js';
import { currentLogContext, logBindings } from './log-context.js';
import type { LogContext } from './log-context.js';
import { REDACTED, createRedactor } from './redaction.js';

export type Logger = PinoLogger;
export type LogLevel = Level | 'silent';

export interface CreateLoggerOptions {
  /** Name of the app or component; every line carries it as `service`. */
  service: string;
  /** Lowest level written. Default `info`. */
  level?: LogLevel;
  /** Extra field or header names to redact at any depth, on top of SECRET_KEYS. */
  redactKeys?: readonly string[];
  /** Exact positions to redact, in pino `redact.paths` syntax (e.g. `payload.card.number`). Avoid wildcards on hot paths. */
  redactPaths?: readonly string[];
  /** Where lines go. Default stdout, written synchronously so nothing is lost on exit. */
  destination?: DestinationStream;
}

/**
 * A pino logger writing one JSON object per line: ISO time, level as a label (`"level":"info"`), `service`,
 * the ids of the current log context (event, correlation, trace), the active span's `traceId` and `spanId`
 * and the caller's fields with secrets replaced by `[REDACTED]`.
 */
export function createLogger(options: CreateLoggerOptions): Logger {
  const redact = createRedactor(options.redactKeys);
  const logger = pino(
    {
      level: options.level ?? 'info',
      base: { service: options.service },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        bindings: redact,
        log: redact,
      },
      ...(options.redactPaths?.length
        ? { redact: { paths: [...options.redactPaths], censor: REDACTED } }
        : {}),
      // The async context carries ids into lines written by code that never sees the event (Nest Loggers,
      // library callbacks). Explicit fields on a log call win over it. The active span's ids win over a
      // trace id set by hand: they are the same trace, and the span id says which step wrote the line.
      mixin: () => {
        const ids = activeSpanIds();
        return ids
          ? { ...currentLogContext(), traceId: ids.traceId, spanId: ids.spanId }
          : { ...currentLogContext() };
      },
      // The redactor already turned errors into plain objects; pino's own err serializer would re-serialize
      // them as `type: "Object"`. Errors that reach here unredacted (none expected) are still handled.
      serializers: { err: (value: unknown) => (value instanceof Error ? redact(value) : value) },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
  // pino applies `formatters.bindings` to the root bindings only and resets it for children, so child
  // bindings (`logger.child({ token })`) are redacted here; children inherit this method.
  const pinoChild = logger.child;
  logger.child = function (this: Logger, bindings, childOptions) {
    return pinoChild.call(this, redact(bindings), childOptions);
  } as Logger['child'];
  return logger;
}

/** A child logger bound to an event's ids, for code that handles one event and passes its logger along. */
export function childLogger(logger: Logger, context: LogContext & Record<string, unknown>): Logger {
  const { eventId, correlationId, traceId, ...rest } = context;
  return logger.child({ ...rest, ...logBindings({ eventId, correlationId, traceId }) });
}
