import { TRACE_SAMPLERS } from '@tributary/observability';
import type { TracingOptions } from '@tributary/observability';
import { z } from 'zod';

/**
 * The OpenTelemetry variables the kit reads (the OpenTelemetry SDK environment specification's names), part
 * of every app's `serviceEnv`. Tracing exports nothing unless OTEL_TRACES_EXPORTER names an exporter: the
 * specification's default is `otlp`, ours `none`, so an app never sends spans to a collector nobody
 * configured. Spans are sent as OTLP/HTTP JSON.
 */
export const tracingEnv = {
  OTEL_SDK_DISABLED: z.stringbool().default(false),
  OTEL_TRACES_EXPORTER: z.enum(['none', 'otlp', 'console']).default('none'),
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
  OTEL_RESOURCE_ATTRIBUTES: z.string().optional(),
  // Base URL of a collector; `/v1/traces` is appended. The TRACES one is used as given.
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  OTEL_EXPORTER_OTLP_HEADERS: z.string().optional(),
  OTEL_EXPORTER_OTLP_TRACES_HEADERS: z.string().optional(),
  OTEL_EXPORTER_OTLP_TIMEOUT: z.coerce.number().int().positive().optional(),
  OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: z.coerce.number().int().positive().optional(),
  OTEL_EXPORTER_OTLP_PROTOCOL: z.literal('http/json', 'only http/json is sent').optional(),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: z.literal('http/json', 'only http/json is sent').optional(),
  OTEL_TRACES_SAMPLER: z.enum(TRACE_SAMPLERS).default('parentbased_always_on'),
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).optional(),
  OTEL_BSP_SCHEDULE_DELAY: z.coerce.number().int().min(0).optional(),
  OTEL_BSP_MAX_QUEUE_SIZE: z.coerce.number().int().positive().optional(),
  OTEL_BSP_MAX_EXPORT_BATCH_SIZE: z.coerce.number().int().positive().optional(),
};

type TracingValues = z.output<z.ZodObject<typeof tracingEnv>>;

/**
 * The tracing options of `service`, or undefined when OTEL_SDK_DISABLED is true (no SDK at all: spans are
 * no-ops and only incoming trace ids are passed on). Problems (an OTLP exporter without an endpoint, a
 * malformed key=value list) are added to `problems`, so they are reported with the others at boot.
 */
export function tracingConfig(
  service: string,
  values: TracingValues,
  problems: string[] = [],
): TracingOptions | undefined {
  if (values.OTEL_SDK_DISABLED) return undefined;
  const resourceAttributes = keyValues('OTEL_RESOURCE_ATTRIBUTES', values.OTEL_RESOURCE_ATTRIBUTES, problems);
  const base = {
    serviceName: values.OTEL_SERVICE_NAME ?? service,
    ...(resourceAttributes ? { resourceAttributes } : {}),
    sampler: values.OTEL_TRACES_SAMPLER,
    ...(values.OTEL_TRACES_SAMPLER_ARG !== undefined ? { samplerRatio: values.OTEL_TRACES_SAMPLER_ARG } : {}),
    batch: {
      ...(values.OTEL_BSP_SCHEDULE_DELAY !== undefined
        ? { scheduledDelayMs: values.OTEL_BSP_SCHEDULE_DELAY }
        : {}),
      ...(values.OTEL_BSP_MAX_QUEUE_SIZE !== undefined
        ? { maxQueueSize: values.OTEL_BSP_MAX_QUEUE_SIZE }
        : {}),
      ...(values.OTEL_BSP_MAX_EXPORT_BATCH_SIZE !== undefined
        ? { maxExportBatchSize: values.OTEL_BSP_MAX_EXPORT_BATCH_SIZE }
        : {}),
    },
  };
  if (values.OTEL_TRACES_EXPORTER !== 'otlp') return { ...base, exporter: values.OTEL_TRACES_EXPORTER };
  const url =
    values.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
    (values.OTEL_EXPORTER_OTLP_ENDPOINT
      ? `${values.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`
      : undefined);
  if (!url) {
    problems.push(
      'OTEL_TRACES_EXPORTER: otlp needs OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
    );
    return undefined;
  }
  const headers = keyValues(
    values.OTEL_EXPORTER_OTLP_TRACES_HEADERS !== undefined
      ? 'OTEL_EXPORTER_OTLP_TRACES_HEADERS'
      : 'OTEL_EXPORTER_OTLP_HEADERS',
    values.OTEL_EXPORTER_OTLP_TRACES_HEADERS ?? values.OTEL_EXPORTER_OTLP_HEADERS,
    problems,
  );
  const timeoutMs = values.OTEL_EXPORTER_OTLP_TRACES_TIMEOUT ?? values.OTEL_EXPORTER_OTLP_TIMEOUT;
  return {
    ...base,
    exporter: {
      otlp: { url, ...(headers ? { headers } : {}), ...(timeoutMs !== undefined ? { timeoutMs } : {}) },
    },
  };
}

/** `key=value,key=value` with percent-encoded values (W3C Baggage octets), as OTEL_* lists are written. */
function keyValues(
  name: string,
  value: string | undefined,
  problems: string[],
): Record<string, string> | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const out: Record<string, string> = {};
  for (const pair of value.split(',')) {
    const at = pair.indexOf('=');
    const key = at > 0 ? pair.slice(0, at).trim() : '';
    if (!key) {
      // The value may be a credential (an API key header): name the variable, never echo it.
      problems.push(`${name}: expected key=value pairs separated by commas`);
      return undefined;
    }
    try {
      out[key] = decodeURIComponent(pair.slice(at + 1).trim());
    } catch {
      problems.push(`${name}: the value of ${key} is not valid percent-encoding`);
      return undefined;
    }
  }
  return out;
}
