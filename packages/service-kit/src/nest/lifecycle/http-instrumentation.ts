import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { metrics } from '@tributary/observability';
import type { Logger } from '@tributary/observability';
import { nameServerSpan } from './http-tracing.js';

/**
 * Every app's HTTP server: request duration by route template and status, an access log, and keep-alive
 * connections released at shutdown. Nest answers new requests with 503 once closing and Fastify closes
 * idle connections, but a connection busy at that moment stays open after its response until the
 * keep-alive timeout (72 s in Fastify), past any shutdown deadline; from the signal on, responses say
 * `Connection: close`. bootstrapApp calls it; tests that build an app in process call it too.
 *
 * The access log line (method, route template, status, duration, request and correlation ids; never a
 * body or query string, which may carry personal data or a hostile payload) is written at debug, and at
 * warn when the request took longer than `slowRequestMs` (default 1 s): every request is one
 * LOG_LEVEL=debug away, slow ones are always visible.
 */
export function instrumentHttp(
  app: NestFastifyApplication,
  options: { logger?: Logger; slowRequestMs?: number } = {},
): { startDraining: () => void } {
  const fastify = app.getHttpAdapter().getInstance();
  const slowMs = options.slowRequestMs ?? 1_000;
  let draining = false;
  fastify.addHook('onSend', async (_request, reply) => {
    if (draining) void reply.header('connection', 'close');
  });
  fastify.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    nameServerSpan(request.raw, request.method, request.routeOptions.url);
    const durationMs = reply.elapsedTime;
    metrics.httpRequestDuration.observe(
      { method: request.method, route, status: String(reply.statusCode) },
      durationMs / 1000,
    );
    const logger = options.logger;
    if (!logger) return;
    const slow = durationMs > slowMs;
    if (!slow && !logger.isLevelEnabled('debug')) return;
    const correlation = request.headers['correlation-id'] ?? request.headers['x-request-id'];
    const line = {
      method: request.method,
      route,
      status: reply.statusCode,
      durationMs: Math.round(durationMs * 10) / 10,
      requestId: request.id,
      ...(typeof correlation === 'string' ? { correlationId: correlation.slice(0, 128) } : {}),
    };
    if (slow) logger.warn(line, 'slow request');
    else logger.debug(line, 'request');
  });
  return {
    startDraining: () => {
      draining = true;
    },
  };
}
