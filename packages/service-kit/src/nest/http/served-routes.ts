import type { NestFastifyApplication } from '@nestjs/platform-fastify';

const served = new WeakMap<object, Set<string>>();

/**
 * Starts recording the routes Fastify registers (`GET /v1/x/:id`), for the test that holds the OpenAPI
 * document to what the service really serves. Call before the app initializes; bootstrapService does.
 */
export function recordServedRoutes(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  if (served.has(fastify)) return;
  const routes = new Set<string>();
  served.set(fastify, routes);
  fastify.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD') routes.add(`${method} ${route.url}`);
    }
  });
}

/** What Fastify serves, as `METHOD /path/:param`, sorted. */
export function servedRoutes(app: NestFastifyApplication): string[] {
  const routes = served.get(app.getHttpAdapter().getInstance());
  if (!routes) throw new Error('servedRoutes: call recordServedRoutes(app) before the app initializes');
  return [...routes].sort();
}
