import 'reflect-metadata';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Inject, Injectable, Module } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { Counter, Registry } from 'prom-client';
import { ObservabilityModule } from './observability.module.js';
import type { ObservabilityModuleOptions } from './observability.options.js';
import { ReadinessRegistry } from './readiness.registry.js';
import { kafkaReadiness, postgresReadiness, schemaRegistryReadiness } from '../health/readiness.js';
import type { ReadinessCheck } from '../health/readiness.js';
import { metrics } from '../metrics.js';

async function start(options: ObservabilityModuleOptions, extraImports: unknown[] = []) {
  const moduleRef = await Test.createTestingModule({
    imports: [ObservabilityModule.forRoot(options), ...(extraImports as [])],
  }).compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), {
    logger: false,
  });
  await app.listen(0, '127.0.0.1');
  const base = await app.getUrl();
  return { app, get: (path: string) => fetch(new URL(path, base)) };
}

const up = (name: string): ReadinessCheck => ({ name, check: async () => ({ detail: 'fine' }) });
const down = (name: string, message: string): ReadinessCheck => ({
  name,
  check: async () => {
    throw new Error(message);
  },
});

describe('ObservabilityModule HTTP endpoints', () => {
  let app: NestFastifyApplication | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('serves the registry on GET /metrics in Prometheus text format', async () => {
    const registry = new Registry();
    new Counter({
      name: 'tributary_test_things_total',
      help: 'Things.',
      labelNames: ['outcome'],
      registers: [registry],
    }).inc({ outcome: 'ok' }, 3);
    const started = await start({ service: 'test', registry });
    app = started.app;

    const response = await started.get('/metrics');

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const body = await response.text();
    expect(body).toContain('# TYPE tributary_test_things_total counter');
    expect(body).toContain('tributary_test_things_total{outcome="ok"} 3');
  });

  it('serves the shared registry with default and standard metrics by default', async () => {
    metrics.messagesConsumed.inc({ topic: 'orders', consumer_group: 'billing', outcome: 'processed' });
    const started = await start({ service: 'test' });
    app = started.app;

    const body = await (await started.get('/metrics')).text();

    expect(body).toContain('process_cpu_user_seconds_total');
    expect(body).toContain('nodejs_eventloop_lag_seconds');
    expect(body).toContain(
      'tributary_messages_consumed_total{topic="orders",consumer_group="billing",outcome="processed"} 1',
    );
    expect(body).toContain('# TYPE tributary_outbox_pending_messages gauge');
  });

  it('answers GET /health/live without checking dependencies', async () => {
    const started = await start({
      service: 'ingestion',
      readiness: [down('postgres', 'connection refused')],
    });
    app = started.app;

    const response = await started.get('/health/live');

    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-cache, no-store, must-revalidate');
    expect(await response.json()).toMatchObject({ status: 'ok', service: 'ingestion' });
  });

  it('answers GET /health/ready with 200 when every dependency is up', async () => {
    const started = await start({ service: 'test', readiness: [up('postgres'), up('kafka')] });
    app = started.app;

    const response = await started.get('/health/ready');

    expect(response.status).toBe(200);
    const body = (await response.json()) as { status: string; details: Record<string, { status: string }> };
    expect(body.status).toBe('ok');
    expect(body.details.postgres).toMatchObject({ status: 'up', detail: 'fine' });
    expect(body.details.kafka).toMatchObject({ status: 'up' });
  });

  it('answers GET /health/ready with 503 naming the dependency that is down', async () => {
    const started = await start({
      service: 'test',
      readiness: [up('postgres'), down('kafka', 'There is no leader for this topic-partition')],
    });
    app = started.app;

    const response = await started.get('/health/ready');

    expect(response.status).toBe(503);
    const body = (await response.json()) as {
      status: string;
      error: Record<string, { status: string; message: string }>;
      details: Record<string, { status: string }>;
    };
    expect(body.status).toBe('error');
    expect(body.error.kafka).toMatchObject({
      status: 'down',
      message: 'There is no leader for this topic-partition',
    });
    expect(body.details.postgres).toMatchObject({ status: 'up' });
  });

  it('reports a dependency that does not answer in time as down', async () => {
    const hanging: ReadinessCheck = {
      name: 'schema_registry',
      timeoutMs: 50,
      check: (signal) =>
        new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
    };
    const started = await start({ service: 'test', readiness: [hanging] });
    app = started.app;

    const response = await started.get('/health/ready');

    expect(response.status).toBe(503);
    const body = (await response.json()) as { error: Record<string, { message: string }> };
    expect(body.error.schema_registry!.message).toBe('timeout of 50ms exceeded');
  });

  it('includes checks that other modules add to the ReadinessRegistry at init', async () => {
    @Injectable()
    class KafkaHealthContributor implements OnModuleInit {
      constructor(@Inject(ReadinessRegistry) private readonly readiness: ReadinessRegistry) {}
      onModuleInit() {
        this.readiness.add(down('kafka', 'broker unreachable'));
      }
    }
    @Module({ providers: [KafkaHealthContributor] })
    class FakeKafkaModule {}

    const started = await start({ service: 'test', readiness: [up('postgres')] }, [FakeKafkaModule]);
    app = started.app;

    const response = await started.get('/health/ready');

    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: { kafka: { status: 'down' } } });
  });
});

describe('readiness checks', () => {
  const run = (check: ReadinessCheck) => check.check(new AbortController().signal);

  it('postgres: runs select 1 through a pool-like object or a function', async () => {
    const seen: string[] = [];
    await run(postgresReadiness({ query: async (sql: string) => void seen.push(sql) }));
    await run(postgresReadiness(async (sql) => void seen.push(sql)));
    expect(seen).toEqual(['select 1', 'select 1']);
    await expect(
      run(postgresReadiness(async () => Promise.reject(new Error('ECONNREFUSED')))),
    ).rejects.toThrow('ECONNREFUSED');
  });

  it('kafka: needs at least one broker in the cluster description', async () => {
    await expect(
      run(kafkaReadiness(async () => ({ brokers: [{ nodeId: 1 }], controller: 1, clusterId: 'c-1' }))),
    ).resolves.toEqual({ brokers: 1, controller: 1, clusterId: 'c-1' });
    await expect(run(kafkaReadiness(async () => ({ brokers: [] })))).rejects.toThrow('no brokers');
  });

  describe('schema registry', () => {
    let status = 200;
    const requests: string[] = [];
    const server = createServer((req, res) => {
      requests.push(req.url ?? '');
      res.writeHead(status, { 'content-type': 'application/vnd.schemaregistry.v1+json' });
      res.end(status === 200 ? JSON.stringify({ compatibilityLevel: 'BACKWARD' }) : '{"error_code":50001}');
    });
    let url = '';
    beforeAll(async () => {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/apis/ccompat/v7/`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('is up when GET <url>/config answers, reporting the global compatibility', async () => {
      status = 200;
      await expect(run(schemaRegistryReadiness(url))).resolves.toEqual({ compatibility: 'BACKWARD' });
      expect(requests.at(-1)).toBe('/apis/ccompat/v7/config');
    });

    it('is down when the registry answers an error status', async () => {
      status = 500;
      await expect(run(schemaRegistryReadiness(url))).rejects.toThrow('schema registry answered HTTP 500');
    });
  });
});
