import { z } from 'zod';
import { ConfigError } from './config-error.js';
import { serviceEnv } from './env.js';
import { loadConfig } from './load-config.js';
import { processConfig } from './service-config.js';

const schema = z.object(serviceEnv({ port: 3300 }));
const load = (env: Record<string, string>) =>
  loadConfig(schema, (values) => processConfig('svc', values), { service: 'svc', env });
const problemsOf = (env: Record<string, string>): readonly string[] => {
  try {
    load(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
};

describe('OTEL_* variables (tracing config)', () => {
  it('exports nothing by default: the SDK runs with no exporter, named after the service', () => {
    expect(load({}).tracing).toEqual({
      serviceName: 'svc',
      sampler: 'parentbased_always_on',
      batch: {},
      exporter: 'none',
    });
  });

  it('sends OTLP/HTTP to <endpoint>/v1/traces, with headers, timeout, sampler, resource and batch settings', () => {
    const config = load({
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-tenant=blue,authorization=Bearer%20abc',
      OTEL_EXPORTER_OTLP_TIMEOUT: '5000',
      OTEL_SERVICE_NAME: 'ingestion-eu',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=staging',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
      OTEL_BSP_SCHEDULE_DELAY: '200',
    });
    expect(config.tracing).toEqual({
      serviceName: 'ingestion-eu',
      resourceAttributes: { 'deployment.environment.name': 'staging' },
      sampler: 'parentbased_traceidratio',
      samplerRatio: 0.25,
      batch: { scheduledDelayMs: 200 },
      exporter: {
        otlp: {
          url: 'http://collector:4318/v1/traces',
          headers: { 'x-tenant': 'blue', authorization: 'Bearer abc' },
          timeoutMs: 5000,
        },
      },
    });
  });

  it('takes the traces endpoint, headers and timeout as given over the general ones', () => {
    const config = load({
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://traces:9999/custom',
      OTEL_EXPORTER_OTLP_HEADERS: 'a=1',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'b=2',
      OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '700',
    });
    expect(config.tracing?.exporter).toEqual({
      otlp: { url: 'http://traces:9999/custom', headers: { b: '2' }, timeoutMs: 700 },
    });
  });

  it('has no SDK at all when OTEL_SDK_DISABLED is true', () => {
    expect(load({ OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'otlp' }).tracing).toBeUndefined();
  });

  it('refuses at boot what cannot work, naming the variable and never echoing a header value', () => {
    expect(problemsOf({ OTEL_TRACES_EXPORTER: 'otlp' })).toEqual([
      'OTEL_TRACES_EXPORTER: otlp needs OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
    ]);
    const problems = problemsOf({
      OTEL_TRACES_EXPORTER: 'zipkin',
      OTEL_TRACES_SAMPLER: 'sometimes',
      OTEL_TRACES_SAMPLER_ARG: '2',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc://collector:4317',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
    });
    expect(problems.map((problem) => problem.split(':')[0])).toEqual([
      'OTEL_TRACES_EXPORTER',
      'OTEL_EXPORTER_OTLP_ENDPOINT',
      'OTEL_EXPORTER_OTLP_PROTOCOL',
      'OTEL_TRACES_SAMPLER',
      'OTEL_TRACES_SAMPLER_ARG',
    ]);
    const secret = problemsOf({
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_HEADERS: 'api-key-s3cr3t',
    });
    expect(secret).toEqual(['OTEL_EXPORTER_OTLP_HEADERS: expected key=value pairs separated by commas']);
    expect(secret.join()).not.toContain('s3cr3t');
  });
});
