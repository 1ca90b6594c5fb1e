import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { hashToken } from '@tributary/service-kit';
import { ApiKeyStore } from '@tributary/service-kit/api-keys';
import { renderOpenApi } from '@tributary/service-kit/http';
import { DATA_SOURCE, createServiceApp, servedRoutes } from '@tributary/service-kit/nest';
import { createTestDatabase, stackFromEnv, uniqueName } from '@tributary/testkit';
import type { TestDatabase } from '@tributary/testkit';
import type { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { AppModule } from './app.module.js';
import { loadConfig } from './dlq-handler.config.js';
import { openApi } from './http/openapi.js';

/**
 * The app built in process as main.ts builds it, on the real stack: the routes it serves against its
 * document, and the kit's stored keys in the handler's own table.
 */
describe('dlq-handler in process', () => {
  let database: TestDatabase;
  let app: NestFastifyApplication;
  let url: string;
  const automationToken = `automation-${uniqueName('token')}`;

  beforeAll(async () => {
    const stack = stackFromEnv();
    database = await createTestDatabase({ prefix: 'dlq_app' });
    const config = loadConfig({
      DATABASE_URL: database.url,
      DATABASE_SCHEMA: 'dlq_handler',
      KAFKA_BROKERS: stack.kafka.brokers.join(','),
      SCHEMA_REGISTRY_URL: stack.registry.url,
      CONSUMER_GROUP: uniqueName('dlq-handler'),
      API_KEYS: `automation:${hashToken(automationToken)}:dlq:read+dlq:discard`,
      // Every request looks the stored key up: a revocation or expiry shows on the next call.
      API_KEY_CACHE_TTL_MS: '0',
      LOG_LEVEL: 'warn',
    });
    app = await createServiceApp(AppModule.forRoot(config), config);
    await app.listen(0, '127.0.0.1');
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });

  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  const call = (path: string, token: string, body?: unknown) =>
    fetch(`${url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  it('serves exactly the documented API routes, besides health, metrics, docs and the console', () => {
    const paths = openApi()['paths'] as Record<string, object>;
    const documented = Object.entries(paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
    );
    const platform = ['GET /docs/openapi.json', 'GET /health/live', 'GET /health/ready', 'GET /metrics'];
    // The console is static files for a browser, not API: it is left out of the document on purpose.
    const consolePages = ['GET /console', 'GET /console/:asset'];
    const notApi = [...platform, ...consolePages];
    expect(servedRoutes(app).filter((route) => !notApi.includes(route))).toEqual(documented.sort());
    expect(servedRoutes(app)).toEqual(expect.arrayContaining(notApi));
  });

  it('serves the document it was built with', async () => {
    const served = await fetch(`${url}/docs/openapi.json`);
    expect(JSON.parse(await served.text())).toEqual(JSON.parse(renderOpenApi(openApi())));
  });

  it('takes stored keys from its own table: scoped, audited by name, rotated, revoked', async () => {
    const store = app.get(ApiKeyStore);
    const issued = await store.create({
      name: 'sre-console',
      scopes: ['dlq:read', 'dlq:discard'],
      actor: 'int-spec',
    });
    const listed = await call('/v1/dead-letters?limit=1', issued.token);
    expect(listed.status).toBe(200);
    expect(listed.headers.get('ratelimit-policy')).toBe('"api-key";q=200;w=2');
    // The handler reads every DLQ on the shared cluster, so the page may hold anything: its shape is checked.
    expect(await listed.json()).toMatchObject({ items: expect.any(Array) });

    const refused = await call('/v1/dead-letters/replay', issued.token, {
      ids: [uuidv7()],
      reason: 'not mine',
    });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ code: 'API_KEY_SCOPE_MISSING' });

    const missing = uuidv7();
    const discarded = await call('/v1/dead-letters/discard', issued.token, {
      ids: [missing],
      reason: 'probe',
    });
    expect(discarded.status).toBe(200);
    const { auditId } = (await discarded.json()) as { auditId: string };
    const dataSource = app.get<DataSource>(DATA_SOURCE);
    const audit = (await dataSource.query(`SELECT actor, action FROM audit_log WHERE id = $1`, [
      auditId,
    ])) as unknown[];
    expect(audit).toEqual([{ actor: `api-key:sre-console/${issued.record.keyId}`, action: 'dlq.discard' }]);

    // Rotated without overlap: the old key has expired, its successor works.
    const rotated = await store.rotate(issued.record.keyId, { overlapMs: 0, actor: 'int-spec' });
    expect(await (await call('/v1/dead-letters', issued.token)).json()).toMatchObject({
      status: 401,
      code: 'API_KEY_EXPIRED',
    });
    expect((await call('/v1/dead-letters', rotated.token)).status).toBe(200);
    await store.revoke(rotated.record.keyId, { actor: 'int-spec', reason: 'left the team' });
    expect(await (await call('/v1/dead-letters', rotated.token)).json()).toMatchObject({
      status: 401,
      code: 'API_KEY_REVOKED',
    });
    const changes = (await dataSource.query(
      `SELECT action, actor FROM audit_log WHERE action LIKE 'api-key.%' ORDER BY at, id`,
    )) as unknown[];
    expect(changes).toEqual([
      { action: 'api-key.create', actor: 'int-spec' },
      { action: 'api-key.rotate', actor: 'int-spec' },
      { action: 'api-key.revoke', actor: 'int-spec' },
    ]);
  });

  it('takes configured keys from API_KEYS, audited by their id', async () => {
    const response = await call('/v1/dead-letters/discard', automationToken, {
      ids: [uuidv7()],
      reason: 'automation probe',
    });
    expect(response.status).toBe(200);
    const { auditId } = (await response.json()) as { auditId: string };
    const audit = (await app
      .get<DataSource>(DATA_SOURCE)
      .query(`SELECT actor FROM audit_log WHERE id = $1`, [auditId])) as unknown[];
    expect(audit).toEqual([{ actor: 'api-key:automation' }]);
  });
});
