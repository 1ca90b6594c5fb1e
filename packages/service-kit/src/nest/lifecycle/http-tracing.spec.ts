import 'reflect-metadata';
import { Controller, Get, HttpException, Module, Param } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { activeTraceparent, startTracing } from '@tributary/observability';
import type { Tracing } from '@tributary/observability';
import { instrumentHttp } from './http-instrumentation.js';
import { tracedServerFactory } from './http-tracing.js';

const CALLER = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const seen: Array<string | undefined> = [];

@Controller()
class ThingsController {
  @Get('/v1/things/:id')
  async thing(@Param('id') id: string) {
    await new Promise((resolve) => setImmediate(resolve));
    // After an await, still inside the request's span.
    seen.push(activeTraceparent());
    return { id };
  }

  @Get('/boom')
  boom() {
    throw new HttpException('down', 503);
  }

  @Get('/metrics')
  metrics() {
    seen.push(activeTraceparent());
    return 'ok';
  }
}

@Module({ controllers: [ThingsController] })
class ThingsModule {}

describe('HTTP server spans (tracedServerFactory + instrumentHttp)', () => {
  let app: NestFastifyApplication;
  let url: string;
  let tracing: Tracing;
  const exporter = new InMemorySpanExporter();

  beforeAll(async () => {
    tracing = await startTracing({ serviceName: 'unit', exporter: { custom: exporter } });
    app = await NestFactory.create<NestFastifyApplication>(
      ThingsModule,
      new FastifyAdapter({ serverFactory: tracedServerFactory }),
      { logger: false },
    );
    instrumentHttp(app);
    await app.listen(0, '127.0.0.1');
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });
  afterAll(async () => {
    await app?.close();
    await tracing?.shutdown();
  });
  beforeEach(() => {
    exporter.reset();
    seen.length = 0;
  });

  const spans = async (count: number) => {
    await tracing.forceFlush();
    const finished = exporter.getFinishedSpans();
    expect(finished).toHaveLength(count);
    return finished;
  };

  it("continues the caller's traceparent, names the span by route template, and runs the handler inside it", async () => {
    const response = await fetch(`${url}/v1/things/th_123?expand=all`, { headers: { traceparent: CALLER } });
    expect(response.status).toBe(200);
    const [span] = await spans(1);
    expect(span).toMatchObject({ name: 'GET /v1/things/:id', kind: SpanKind.SERVER });
    expect(span!.spanContext().traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(span!.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(span!.attributes).toMatchObject({
      'http.request.method': 'GET',
      'http.route': '/v1/things/:id',
      'url.path': '/v1/things/th_123',
      'http.response.status_code': 200,
    });
    expect(span!.status.code).toBe(SpanStatusCode.UNSET);
    expect(seen).toEqual([`00-4bf92f3577b34da6a3ce929d0e0e4736-${span!.spanContext().spanId}-01`]);
  });

  it('starts a new trace without a traceparent (or with a malformed one)', async () => {
    await fetch(`${url}/v1/things/a`);
    await fetch(`${url}/v1/things/b`, { headers: { traceparent: 'not-a-traceparent' } });
    const [first, second] = await spans(2);
    expect(first!.parentSpanContext).toBeUndefined();
    expect(second!.parentSpanContext).toBeUndefined();
    expect(first!.spanContext().traceId).not.toBe(second!.spanContext().traceId);
  });

  it('marks a 5xx answer as an error, and gives scrapes no span', async () => {
    expect((await fetch(`${url}/boom`)).status).toBe(503);
    expect((await fetch(`${url}/metrics`)).status).toBe(200);
    const [span] = await spans(1);
    expect(span).toMatchObject({ name: 'GET /boom' });
    expect(span!.status.code).toBe(SpanStatusCode.ERROR);
    expect(span!.attributes['error.type']).toBe('503');
    expect(seen).toEqual([undefined]);
  });
});
