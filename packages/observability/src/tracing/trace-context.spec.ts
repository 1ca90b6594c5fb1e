import { Writable } from 'node:stream';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { runWithLogContext } from '../logging/log-context.js';
import { createLogger } from '../logging/logger.js';
import {
  activeSpanIds,
  activeTraceparent,
  contextFromTraceparent,
  formatTraceparent,
  startSpan,
  withSpan,
} from './trace-context.js';
import { startTracing } from './tracing-sdk.js';
import type { Tracing } from './tracing-sdk.js';

const PARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const PARENT_TRACE = '0af7651916cd43dd8448eb211c80319c';
const PARENT_SPAN = 'b7ad6b7169203331';

function lines(): { destination: Writable; read: () => Array<Record<string, unknown>> } {
  const out: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      out.push(chunk.toString('utf8'));
      done();
    },
  });
  return {
    destination,
    read: () =>
      out
        .join('')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe('traceparent helpers', () => {
  it('formats a span context and refuses an invalid one', () => {
    expect(formatTraceparent({ traceId: PARENT_TRACE, spanId: PARENT_SPAN, traceFlags: 1 })).toBe(PARENT);
    expect(formatTraceparent({ traceId: PARENT_TRACE, spanId: PARENT_SPAN, traceFlags: 0 })).toBe(
      `00-${PARENT_TRACE}-${PARENT_SPAN}-00`,
    );
    expect(
      formatTraceparent({ traceId: '0'.repeat(32), spanId: PARENT_SPAN, traceFlags: 1 }),
    ).toBeUndefined();
    expect(formatTraceparent(undefined)).toBeUndefined();
  });

  it('reads a remote parent from a traceparent, and nothing from a malformed or missing one', () => {
    expect(activeTraceparent(contextFromTraceparent(PARENT))).toBe(PARENT);
    for (const bad of [
      undefined,
      '',
      'garbage',
      `00-${'0'.repeat(32)}-${PARENT_SPAN}-01`,
      `00-${PARENT_TRACE}-xyz-01`,
    ])
      expect(activeTraceparent(contextFromTraceparent(bad))).toBeUndefined();
  });

  it('without an SDK, a span is a no-op that carries its remote parent on, and nothing becomes active', async () => {
    const { span, context: spanContext } = startSpan('process orders', {
      kind: 'consumer',
      traceparent: PARENT,
    });
    expect(span.isRecording()).toBe(false);
    expect(activeTraceparent(spanContext)).toBe(PARENT);
    await withSpan('process orders', { traceparent: PARENT }, async () => {
      // No context manager is registered without the SDK: there is no active span to read.
      expect(activeTraceparent()).toBeUndefined();
    });
  });
});

describe('with the SDK started', () => {
  let tracing: Tracing | undefined;
  afterEach(async () => {
    await tracing?.shutdown();
    tracing = undefined;
  });

  it('records a child of the remote parent, and its own child under it, with kinds and attributes', async () => {
    const exporter = new InMemorySpanExporter();
    tracing = await startTracing({ serviceName: 'unit', exporter: { custom: exporter } });
    expect(tracing.exporting).toBe(true);
    let sent: string | undefined;
    await withSpan('process orders', { kind: 'consumer', traceparent: PARENT }, async () => {
      await withSpan(
        'POST contacts.upsert',
        { kind: 'client', attributes: { 'http.request.method': 'POST' } },
        async () => {
          sent = activeTraceparent();
        },
      );
    });
    await tracing.forceFlush();
    const [client, consumer] = exporter.getFinishedSpans();
    expect(consumer).toMatchObject({ name: 'process orders', kind: SpanKind.CONSUMER });
    expect(consumer!.spanContext().traceId).toBe(PARENT_TRACE);
    expect(consumer!.parentSpanContext?.spanId).toBe(PARENT_SPAN);
    expect(client).toMatchObject({ name: 'POST contacts.upsert', kind: SpanKind.CLIENT });
    expect(client!.attributes['http.request.method']).toBe('POST');
    expect(client!.parentSpanContext?.spanId).toBe(consumer!.spanContext().spanId);
    // What goes to the next hop names the innermost span, sampled.
    expect(sent).toBe(`00-${PARENT_TRACE}-${client!.spanContext().spanId}-01`);
    expect(client!.resource.attributes['service.name']).toBe('unit');
  });

  it("links the spans named by `links` (a batch's writers), ignoring what is not a traceparent", async () => {
    const exporter = new InMemorySpanExporter();
    tracing = await startTracing({ serviceName: 'unit', exporter: { custom: exporter } });
    const other = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    await withSpan(
      'event_log insert',
      { kind: 'client', links: [PARENT, undefined, 'garbage', other] },
      async () => {},
    );
    await tracing.forceFlush();
    const [span] = exporter.getFinishedSpans();
    expect(span!.links.map((link) => `${link.context.traceId}-${link.context.spanId}`)).toEqual([
      `${PARENT_TRACE}-${PARENT_SPAN}`,
      '4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7',
    ]);
  });

  it('marks a span that throws as an error with the stable code, and rethrows', async () => {
    const exporter = new InMemorySpanExporter();
    tracing = await startTracing({ serviceName: 'unit', exporter: { custom: exporter } });
    const failure = Object.assign(new Error('provider down'), { code: 'PROVIDER_UNAVAILABLE' });
    await expect(
      withSpan('GET contacts.read', { kind: 'client' }, () => Promise.reject(failure)),
    ).rejects.toBe(failure);
    await tracing.forceFlush();
    const [span] = exporter.getFinishedSpans();
    expect(span!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'provider down' });
    expect(span!.attributes['error.type']).toBe('PROVIDER_UNAVAILABLE');
    expect(span!.events.map((event) => event.name)).toEqual(['exception']);
  });

  it('without an exporter, spans record nothing but still get ids, so logs and the next hop share a trace', async () => {
    tracing = await startTracing({ serviceName: 'unit' });
    expect(tracing.exporting).toBe(false);
    const root = startSpan('POST /v1/webhooks/:provider', { kind: 'server', traceparent: undefined });
    expect(root.span.isRecording()).toBe(false);
    const rootTraceparent = activeTraceparent(root.context);
    expect(rootTraceparent).toMatch(/^00-[\da-f]{32}-[\da-f]{16}-00$/);
    await context.with(root.context, () =>
      withSpan('process orders', { kind: 'consumer', traceparent: PARENT }, async () => {
        const ids = activeSpanIds()!;
        expect(ids.traceId).toBe(PARENT_TRACE);
        expect(ids.spanId).not.toBe(PARENT_SPAN);
      }),
    );
  });

  it('puts the active span ids on every log line, over a trace id set by hand', async () => {
    tracing = await startTracing({ serviceName: 'unit' });
    const { destination, read } = lines();
    const logger = createLogger({ service: 'unit', destination });
    logger.info('outside');
    await runWithLogContext({ traceId: 'f'.repeat(32), correlationId: 'c1' }, () =>
      withSpan('process orders', { traceparent: PARENT }, async () => {
        logger.child({ eventId: 'e1' }).info('inside');
      }),
    );
    const [outside, inside] = read();
    expect(outside).not.toHaveProperty('traceId');
    expect(outside).not.toHaveProperty('spanId');
    expect(inside).toMatchObject({
      msg: 'inside',
      eventId: 'e1',
      correlationId: 'c1',
      traceId: PARENT_TRACE,
    });
    expect(inside!.spanId).toMatch(/^[\da-f]{16}$/);
  });

  it('after shutdown, spans are no-ops again', async () => {
    const exporter = new InMemorySpanExporter();
    tracing = await startTracing({ serviceName: 'unit', exporter: { custom: exporter } });
    await tracing.shutdown();
    const { span } = startSpan('late');
    expect(span.isRecording()).toBe(false);
    expect(trace.getActiveSpan()).toBeUndefined();
  });
});
