import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import type { Sampler, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

/** OTEL_TRACES_SAMPLER's values (the OpenTelemetry SDK environment specification). */
export const TRACE_SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;
export type TraceSamplerName = (typeof TRACE_SAMPLERS)[number];

export interface OtlpExporterOptions {
  /** The traces endpoint itself (`.../v1/traces`). */
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
}

export interface TracingOptions {
  /** `service.name` of every span. */
  readonly serviceName: string;
  /** More resource attributes (OTEL_RESOURCE_ATTRIBUTES). */
  readonly resourceAttributes?: Readonly<Record<string, string>>;
  /**
   * Where spans go. `none` (the default): spans are sampled out, so they cost an id and a context, and
   * only carry the trace id on to logs and the next hop. `exporter` is for tests (an in-memory exporter).
   */
  readonly exporter?:
    'none' | 'console' | { readonly otlp: OtlpExporterOptions } | { readonly custom: SpanExporter };
  readonly sampler?: TraceSamplerName;
  /** The ratio of the `*traceidratio` samplers, 0..1. Default 1. */
  readonly samplerRatio?: number;
  /** Batch span processor: longest wait before an export (default 5 s), queue and batch sizes. */
  readonly batch?: {
    readonly scheduledDelayMs?: number;
    readonly maxQueueSize?: number;
    readonly maxExportBatchSize?: number;
  };
}

export interface Tracing {
  /** True when spans are recorded and exported (an exporter is configured and the sampler keeps them). */
  readonly exporting: boolean;
  /** Exports what is queued. */
  forceFlush(): Promise<void>;
  /** Exports what is queued, then unregisters the SDK: later spans are no-ops. */
  shutdown(): Promise<void>;
}

/**
 * Registers the OpenTelemetry SDK for this process: the tracer provider, async-local context (so the
 * active span follows awaits) and the W3C trace-context propagator. Call once at boot, before anything
 * starts spans; a second call replaces the first.
 *
 * Without an exporter the SDK is still installed, with an always-off sampler: every span is a
 * non-recording span with fresh ids, so log lines and outgoing `traceparent`s carry one trace id across
 * processes while nothing is recorded. The `01` sampled flag is not sent then, and a downstream process
 * that exports does not record children of an unsampled parent (a deployment traces all of its apps or
 * none).
 */
export async function startTracing(options: TracingOptions): Promise<Tracing> {
  const processors: SpanProcessor[] = [];
  const exporter = await exporterOf(options.exporter ?? 'none');
  if (exporter) {
    processors.push(
      new BatchSpanProcessor({
        exporter,
        ...(options.batch?.scheduledDelayMs !== undefined
          ? { scheduledDelayMillis: options.batch.scheduledDelayMs }
          : {}),
        ...(options.batch?.maxQueueSize !== undefined ? { maxQueueSize: options.batch.maxQueueSize } : {}),
        ...(options.batch?.maxExportBatchSize !== undefined
          ? { maxExportBatchSize: options.batch.maxExportBatchSize }
          : {}),
      }),
    );
  }
  const provider = new TracerProvider({
    resource: resourceFromAttributes({
      ...options.resourceAttributes,
      [ATTR_SERVICE_NAME]: options.serviceName,
    }),
    sampler: exporter
      ? samplerOf(options.sampler ?? 'parentbased_always_on', options.samplerRatio ?? 1)
      : new AlwaysOffSampler(),
    spanProcessors: processors,
  });
  // The globals refuse a second registration; replacing keeps a test or a restart in one process honest.
  trace.disable();
  context.disable();
  propagation.disable();
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  let stopped = false;
  return {
    exporting:
      exporter !== undefined &&
      options.sampler !== 'always_off' &&
      options.sampler !== 'parentbased_always_off',
    forceFlush: () => provider.forceFlush(),
    shutdown: async () => {
      if (stopped) return;
      stopped = true;
      try {
        await provider.shutdown();
      } finally {
        trace.disable();
        propagation.disable();
        context.disable();
      }
    },
  };
}

async function exporterOf(
  exporter: NonNullable<TracingOptions['exporter']>,
): Promise<SpanExporter | undefined> {
  if (exporter === 'none') return undefined;
  if (exporter === 'console') return new ConsoleSpanExporter();
  if ('custom' in exporter) return exporter.custom;
  // Loaded only when configured: the OTLP exporter brings the protocol's transformer and its SDKs, which an
  // app that exports nothing should not load at boot.
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
  return new OTLPTraceExporter({
    url: exporter.otlp.url,
    ...(exporter.otlp.headers ? { headers: { ...exporter.otlp.headers } } : {}),
    ...(exporter.otlp.timeoutMs !== undefined ? { timeoutMillis: exporter.otlp.timeoutMs } : {}),
  });
}

function samplerOf(name: TraceSamplerName, ratio: number): Sampler {
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio);
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
  }
}
