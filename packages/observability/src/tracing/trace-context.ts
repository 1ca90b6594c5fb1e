import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  isSpanContextValid,
  trace,
} from '@opentelemetry/api';
import type { Attributes, Context, Span, SpanContext, Tracer } from '@opentelemetry/api';
import { parseTraceParent } from '@opentelemetry/core';

/**
 * The tracing API the packages use (docs/architecture.md#observability). It speaks W3C `traceparent`
 * strings because that is what crosses process boundaries here: Kafka headers, the outbox's stored headers,
 * provider requests. It works on the global OpenTelemetry API: without a started SDK (unit tests, scripts)
 * every span is a no-op that carries its parent's ids, and no span is ever active (there is no context
 * manager), so `activeTraceparent()` is undefined and events start new traces as before.
 */

const TRACER_NAME = '@tributary/platform';

/** The one tracer of the platform's own spans; the SDK started by `startTracing` backs it. */
export function tracer(): Tracer {
  return trace.getTracer(TRACER_NAME);
}

/** The W3C `traceparent` of a span context, or undefined when it is invalid (no active trace). */
export function formatTraceparent(spanContext: SpanContext | undefined): string | undefined {
  if (!spanContext || !isSpanContextValid(spanContext)) return undefined;
  const flags = (spanContext.traceFlags & 0xff).toString(16).padStart(2, '0');
  return `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`;
}

/**
 * The `traceparent` of the active span (or of `ctx`): what an event written now, or a request sent now,
 * carries so that the next hop's spans are children of this one.
 */
export function activeTraceparent(ctx: Context = context.active()): string | undefined {
  return formatTraceparent(trace.getSpanContext(ctx));
}

/**
 * A context whose parent is the remote span of a W3C `traceparent`; the root context when the header is
 * missing or malformed (a new trace starts, as W3C Trace Context asks).
 */
export function contextFromTraceparent(
  traceparent: string | undefined,
  base: Context = ROOT_CONTEXT,
): Context {
  const parent = traceparent ? parseTraceParent(traceparent.trim()) : null;
  return parent ? trace.setSpanContext(base, parent) : base;
}

/** Trace and span id of the active span, for log lines; undefined outside any trace. */
export function activeSpanIds(): { traceId: string; spanId: string } | undefined {
  const spanContext = trace.getSpanContext(context.active());
  if (!spanContext || !isSpanContextValid(spanContext)) return undefined;
  return { traceId: spanContext.traceId, spanId: spanContext.spanId };
}

export type SpanKindName = 'internal' | 'server' | 'client' | 'producer' | 'consumer';

const KINDS: Record<SpanKindName, SpanKind> = {
  internal: SpanKind.INTERNAL,
  server: SpanKind.SERVER,
  client: SpanKind.CLIENT,
  producer: SpanKind.PRODUCER,
  consumer: SpanKind.CONSUMER,
};

export interface SpanOptions {
  /** Default `internal`. */
  readonly kind?: SpanKindName;
  /**
   * The parent: a W3C `traceparent` received from another process (a Kafka header, an HTTP header), where
   * an absent or malformed one starts a new trace; default the active span.
   */
  readonly traceparent?: string | undefined;
  readonly attributes?: Attributes;
  /**
   * W3C `traceparent`s of spans this one is about without being their child (a batch written or handled
   * for many requests): each valid one becomes a link of a recording span.
   */
  readonly links?: readonly (string | undefined)[];
}

/**
 * Starts a span (not yet active). `name` must be bounded, an operation and a template, never an id: span
 * names are grouped and indexed by tracing back ends like metric labels.
 */
export function startSpan(name: string, options: SpanOptions = {}): { span: Span; context: Context } {
  const parent = 'traceparent' in options ? contextFromTraceparent(options.traceparent) : context.active();
  const span = tracer().startSpan(
    name,
    {
      kind: KINDS[options.kind ?? 'internal'],
      ...(options.attributes ? { attributes: options.attributes } : {}),
    },
    parent,
  );
  if (options.links && span.isRecording()) {
    for (const traceparent of options.links) {
      const linked = trace.getSpanContext(contextFromTraceparent(traceparent));
      if (linked) span.addLink({ context: linked });
    }
  }
  return { span, context: trace.setSpan(parent, span) };
}

/**
 * Runs `fn` inside a new active span and ends it when `fn` settles. A throw marks the span as an error
 * (status ERROR, `error.type` = the error's stable code or class, an exception event) and is rethrown.
 */
export async function withSpan<T>(
  name: string,
  options: SpanOptions,
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const started = startSpan(name, options);
  try {
    return await context.with(started.context, fn, undefined, started.span);
  } catch (error) {
    recordSpanError(started.span, error);
    throw error;
  } finally {
    started.span.end();
  }
}

/** Marks `span` as failed by `error`, following the semantic conventions' `error.type` and exception event. */
export function recordSpanError(span: Span, error: unknown): void {
  if (!span.isRecording()) return;
  const code = (error as { code?: unknown } | null)?.code;
  const type = typeof code === 'string' ? code : error instanceof Error ? error.name : 'unknown';
  span.setAttribute('error.type', type);
  if (error instanceof Error) span.recordException(error);
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? error.message : String(error),
  });
}
