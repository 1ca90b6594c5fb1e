import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The ids that tie a log line to the event, the request chain and the trace it belongs to. Field names are
 * the JSON keys in every log line, so dashboards and log queries can rely on them.
 */
export interface LogContext {
  eventId?: string;
  correlationId?: string;
  traceId?: string;
}

const storage = new AsyncLocalStorage<LogContext>();

/**
 * Runs `fn` with `context` attached to every log line written inside it, including lines from Nest
 * `Logger` instances that know nothing about the event. Nested calls add to the outer context.
 */
export function runWithLogContext<T>(context: LogContext, fn: () => T): T {
  const outer = storage.getStore();
  return storage.run({ ...outer, ...definedOnly(context) }, fn);
}

/** The context of the current async call chain, or an empty object outside any `runWithLogContext`. */
export function currentLogContext(): LogContext {
  return storage.getStore() ?? {};
}

/** Child-logger bindings for the ids that are set; absent ids stay absent instead of logging `null`. */
export function logBindings(context: LogContext): LogContext {
  return definedOnly(context);
}

const TRACEPARENT = /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/;

/**
 * The trace id of a W3C `traceparent` header (`00-<trace id>-<parent id>-<flags>`), or undefined when the
 * header is missing or malformed. The all-zero trace id is invalid per the spec and is treated as absent.
 */
export function traceIdFromTraceparent(traceparent: string | undefined): string | undefined {
  const match = traceparent ? TRACEPARENT.exec(traceparent.trim().toLowerCase()) : null;
  const traceId = match?.[1];
  return traceId && !/^0+$/.test(traceId) ? traceId : undefined;
}

function definedOnly(context: LogContext): LogContext {
  const out: LogContext = {};
  if (context.eventId !== undefined) out.eventId = context.eventId;
  if (context.correlationId !== undefined) out.correlationId = context.correlationId;
  if (context.traceId !== undefined) out.traceId = context.traceId;
  return out;
}
