import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { SpanStatusCode, context } from '@opentelemetry/api';
import type { Span } from '@opentelemetry/api';
import { startSpan } from '@tributary/observability';

/**
 * The HTTP server span of every request (OpenTelemetry HTTP semantic conventions): a child of the caller's
 * W3C `traceparent` when it sent one (an internal service, a provider that traces), else the root of a new
 * trace. The handler runs inside it, so what the request writes (the event log, the outbox) and logs
 * carries its trace.
 *
 * It wraps Node's request listener (Fastify's `serverFactory`) rather than a Fastify hook, because only
 * there does the whole request lifecycle, body parsing and Nest included, run inside the span's context.
 * The route template is known once Fastify routed the request: `nameServerSpan` (an onResponse hook) gives
 * the span its bounded name `METHOD /route/:param`. Scrapes and probes (`/metrics`, `/health/*`) get no
 * span: every few seconds, they would bury the traces worth reading.
 */
const spans = new WeakMap<IncomingMessage, Span>();

export function tracedServerFactory(
  handler: (request: IncomingMessage, response: ServerResponse) => void,
): Server {
  return createServer((request, response) => {
    const path = (request.url ?? '/').split('?', 1)[0]!;
    if (path === '/metrics' || path.startsWith('/health/')) {
      handler(request, response);
      return;
    }
    const method = request.method ?? 'GET';
    const header = request.headers.traceparent;
    const { span, context: spanContext } = startSpan(method, {
      kind: 'server',
      traceparent: typeof header === 'string' ? header : undefined,
      attributes: {
        'http.request.method': method,
        'url.path': path,
        'url.scheme': 'http',
        'network.protocol.version': request.httpVersion,
      },
    });
    // A sampled-out span records nothing: no bookkeeping for it, only its context for what runs inside.
    if (span.isRecording()) {
      spans.set(request, span);
      response.once('close', () => endServerSpan(span, response));
    }
    context.with(spanContext, () => handler(request, response));
  });
}

/** Names the request's span by its route template, once routed (Fastify's onResponse). */
export function nameServerSpan(request: IncomingMessage, method: string, route: string | undefined): void {
  const span = spans.get(request);
  if (!span || !route) return;
  span.updateName(`${method} ${route}`);
  span.setAttribute('http.route', route);
}

function endServerSpan(span: Span, response: ServerResponse): void {
  const status = response.statusCode;
  span.setAttribute('http.response.status_code', status);
  if (!response.writableFinished) {
    // The client went away before the answer was sent.
    span.setAttribute('error.type', 'aborted');
    span.setStatus({ code: SpanStatusCode.ERROR });
  } else if (status >= 500) {
    // A server span is an error for 5xx only: a 4xx is the client's mistake, answered correctly.
    span.setAttribute('error.type', String(status));
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}
