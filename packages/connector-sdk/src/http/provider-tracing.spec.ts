import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { startTracing, withSpan } from '@tributary/observability';
import type { Tracing } from '@tributary/observability';
import { VirtualClock } from '@tributary/testkit';
import { ProviderHttpClient } from './provider-http-client.js';

const EVENT = '00-5b8aa5a2d2c872e8321cf37308d69df2-051581bf3cb55c13-01';
const EVENT_TRACE = '5b8aa5a2d2c872e8321cf37308d69df2';

// What a provider sees of the platform's traces: each attempt sends the traceparent of its own client span,
// a child of the span the call was made in (the consumer's handler span in a connector).
describe('provider calls in a trace', () => {
  let tracing: Tracing;
  let server: Server;
  let client: ProviderHttpClient;
  const exporter = new InMemorySpanExporter();
  const received: Array<string | undefined> = [];
  let answers: number[] = [];

  beforeAll(async () => {
    tracing = await startTracing({ serviceName: 'unit', exporter: { custom: exporter } });
    server = createServer((req, res) => {
      received.push(req.headers.traceparent as string | undefined);
      req.resume();
      req.on('end', () => {
        const status = answers.shift() ?? 200;
        // 0: the connection drops without an answer.
        if (status === 0) return req.socket.destroy();
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    client = new ProviderHttpClient({
      provider: 'unit-provider',
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`,
      retry: { maxRetries: 2, initialDelayMs: 1, maxDelayMs: 2, budgetMs: 1_000 },
      clock: new VirtualClock(),
    });
  });
  afterAll(async () => {
    await client?.close();
    server?.closeAllConnections();
    server?.close();
    await tracing?.shutdown();
  });
  beforeEach(() => {
    exporter.reset();
    received.length = 0;
    answers = [];
  });

  const call = () =>
    withSpan('process payments.payment.v1', { kind: 'consumer', traceparent: EVENT }, () =>
      client.request({
        method: 'POST',
        path: '/things',
        operation: 'things.create',
        json: { a: 1 },
        idempotencyKey: 'tributary:unit:e1',
      }),
    );

  it('sends the traceparent of a client span per attempt, each marked with its status', async () => {
    answers = [503, 200];
    await call();
    await tracing.forceFlush();
    const finished = exporter.getFinishedSpans();
    const attempts = finished.filter((span) => span.kind === SpanKind.CLIENT);
    const handler = finished.find((span) => span.kind === SpanKind.CONSUMER)!;
    expect(attempts.map((span) => span.name)).toEqual(['POST things.create', 'POST things.create']);
    expect(attempts.map((span) => span.attributes['http.response.status_code'])).toEqual([503, 200]);
    expect(attempts.map((span) => span.status.code)).toEqual([SpanStatusCode.ERROR, SpanStatusCode.UNSET]);
    for (const span of attempts) {
      expect(span.spanContext().traceId).toBe(EVENT_TRACE);
      expect(span.parentSpanContext?.spanId).toBe(handler.spanContext().spanId);
      expect(span.attributes).toMatchObject({ 'http.request.method': 'POST', 'server.address': '127.0.0.1' });
    }
    expect(received).toEqual(attempts.map((span) => `00-${EVENT_TRACE}-${span.spanContext().spanId}-01`));
  });

  it('records a call that gets no answer as failed with its stable code', async () => {
    answers = [0, 0, 0];
    await expect(call()).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE' });
    await tracing.forceFlush();
    const attempts = exporter.getFinishedSpans().filter((span) => span.kind === SpanKind.CLIENT);
    expect(attempts).toHaveLength(3);
    for (const span of attempts) {
      expect(span.status.code).toBe(SpanStatusCode.ERROR);
      expect(span.attributes['error.type']).toBe('PROVIDER_UNAVAILABLE');
    }
  });
});
