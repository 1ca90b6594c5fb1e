import { randomUUID } from 'node:crypto';
import { Controller, Inject, Module, Req } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DomainEvent } from '@tributary/contracts';
import { Outbox } from '@tributary/persistence';
import { createTestDatabase, stackFromEnv, uniqueName, waitFor } from '@tributary/testkit';
import type { TestDatabase } from '@tributary/testkit';
import type { FastifyRequest } from 'fastify';
import { Kafka, logLevel } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { actorOf, hashToken } from '../api-keys/api-key.js';
import { ApiKeyStore } from '../api-keys/api-key-store.js';
import { backboneEnv, serviceEnv } from '../config/env.js';
import { loadConfig } from '../config/load-config.js';
import { serviceConfig } from '../config/service-config.js';
import type { ServiceConfig } from '../config/service-config.js';
import { openApiDocument } from '../http/openapi-document.js';
import { defineRoute } from '../http/route.js';
import type { RouteInput } from '../http/route.js';
import { defineProblems } from '../problems/problem-catalogue.js';
import { ProblemError } from '../problems/problem-error.js';
import { principalOf } from './api-keys/api-key.guard.js';
import { Input, Route } from './http/route.decorator.js';
import { servedRoutes } from './http/served-routes.js';
import { createServiceApp } from './lifecycle/bootstrap.js';
import { ServiceModule } from './service.module.js';
import { DATA_SOURCE } from './tokens.js';

/** A small service on the kit: one contract route that publishes a catalogue event through the outbox. */
const problems = defineProblems({ PAYMENT_UNKNOWN: { status: 404, title: 'No such payment' } });
const failPayment = defineRoute({
  method: 'post',
  path: '/v1/payments/{paymentId}/failures',
  operationId: 'failPayment',
  summary: 'Record a failed payment',
  scope: 'payments:write',
  request: {
    params: z.object({ paymentId: z.uuid() }),
    body: z.object({ orderId: z.uuid(), failureCode: z.string().min(1) }).strict(),
  },
  responses: {
    202: { description: 'Published.', schema: z.object({ eventId: z.uuid(), actor: z.string() }) },
  },
  problems: ['PAYMENT_UNKNOWN'],
});
const brokenAnswer = defineRoute({
  method: 'get',
  path: '/v1/broken',
  operationId: 'broken',
  summary: 'Answers what its contract does not promise',
  responses: { 200: { description: 'Never.', schema: z.object({ count: z.number() }) } },
});

@Controller()
class PaymentsController {
  constructor(
    @Inject(Outbox) private readonly outbox: Outbox,
    @Inject(DATA_SOURCE) private readonly db: DataSource,
  ) {}

  @Route(failPayment)
  async fail(@Input() input: RouteInput<typeof failPayment>, @Req() request: FastifyRequest) {
    if (input.params.paymentId === '00000000-0000-4000-8000-000000000000') {
      throw new ProblemError('PAYMENT_UNKNOWN', 'No payment has this id.');
    }
    const event = {
      id: randomUUID(),
      type: 'payments.payment.failed',
      source: '/tributary/kit-test',
      subject: input.params.paymentId,
      time: new Date().toISOString(),
      data: {
        paymentId: input.params.paymentId,
        orderId: input.body.orderId,
        failureCode: input.body.failureCode,
        failedAt: Date.now(),
      },
    } as DomainEvent;
    await this.db.transaction((manager) => this.outbox.publishEvent(manager, event));
    return { eventId: event.id, actor: actorOf(principalOf(request)), internal: 'stripped' };
  }

  @Route(brokenAnswer)
  broken() {
    return { count: 'many' };
  }
}

@Module({ controllers: [PaymentsController] })
class PaymentsModule {}

const schema = z.object({ ...serviceEnv({ port: 0 }), ...backboneEnv });
const document = () =>
  openApiDocument({
    title: 'kit test',
    version: '1.0.0',
    description: 'test',
    routes: [failPayment, brokenAnswer],
    problems,
  });

function rootModule(config: ServiceConfig): DynamicModule {
  return {
    module: class KitTestModule {},
    imports: [
      ServiceModule.forRoot({
        config,
        problems,
        openApi: document,
        apiKeys: {
          scopes: ['payments:write', 'payments:read'],
          configured: [
            { id: 'automation', sha256: hashToken('automation-token'), scopes: ['payments:write'] },
          ],
          cacheTtlMs: 0,
          rateLimit: { ratePerSecond: 1000, burst: 1000 },
        },
      }),
      PaymentsModule,
    ],
  };
}

describe('ServiceModule on the real stack', () => {
  let database: TestDatabase;
  let app: NestFastifyApplication;
  let url: string;
  let config: ServiceConfig;

  beforeAll(async () => {
    const stack = stackFromEnv();
    database = await createTestDatabase({ prefix: 'service_kit' });
    config = loadConfig(schema, (values) => serviceConfig('kit-test', values, 'kit'), {
      service: 'kit-test',
      env: {
        DATABASE_URL: database.url,
        KAFKA_BROKERS: stack.kafka.brokers.join(','),
        SCHEMA_REGISTRY_URL: stack.registry.url,
        KAFKA_TOPIC_PREFIX: `${uniqueName('kit')}.`,
        LOG_LEVEL: 'warn',
      },
    });
    app = await createServiceApp(rootModule(config), config, { rawBody: true });
    await app.listen(0, '127.0.0.1');
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });

  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  const post = (path: string, body: unknown, token?: string, contentType = 'application/json') =>
    fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': contentType, ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it('publishes through the outbox and relay to the prefixed catalogue topic, with a stored key', async () => {
    const store = app.get(ApiKeyStore);
    const issued = await store.create({ name: 'billing', scopes: ['payments:write'], actor: 'int-spec' });
    const paymentId = randomUUID();
    const response = await post(
      `/v1/payments/${paymentId}/failures`,
      { orderId: randomUUID(), failureCode: 'CARD_DECLINED' },
      issued.token,
    );
    expect(response.status).toBe(202);
    expect(response.headers.get('ratelimit-policy')).toBe('"api-key";q=1000;w=1');
    const body = (await response.json()) as Record<string, unknown>;
    // Members the contract does not list are not sent.
    expect(body).toEqual({ eventId: expect.any(String), actor: `api-key:billing/${issued.record.keyId}` });

    const kafka = new Kafka({
      clientId: 'kit-test',
      brokers: config.kafka.brokers as string[],
      logLevel: logLevel.NOTHING,
    });
    const consumer = kafka.consumer({ groupId: uniqueName('kit-reader') });
    const keys: string[] = [];
    await consumer.connect();
    await consumer.subscribe({
      topic: `${config.kafka.topicPrefix}payments.payment.v1`,
      fromBeginning: true,
    });
    await consumer.run({ eachMessage: async ({ message }) => void keys.push(String(message.key)) });
    try {
      await waitFor('the record on Kafka', () => keys.includes(paymentId), 60_000);
    } finally {
      await consumer.disconnect();
    }
    const audit = (await app
      .get<DataSource>(DATA_SOURCE)
      .query(`SELECT action, actor FROM audit_log WHERE target = $1`, [
        `api-key:${issued.record.keyId}`,
      ])) as unknown[];
    expect(audit).toEqual([{ action: 'api-key.create', actor: 'int-spec' }]);
  });

  it('answers RFC 9457 problems from the catalogue: auth, scope, validation, media type, own codes', async () => {
    const ok = { orderId: randomUUID(), failureCode: 'X' };
    const problem = async (response: Response) => ({
      status: response.status,
      type: response.headers.get('content-type'),
      body: (await response.json()) as Record<string, unknown>,
    });
    const missing = await problem(await post(`/v1/payments/${randomUUID()}/failures`, ok));
    expect(missing).toMatchObject({
      status: 401,
      type: 'application/problem+json; charset=utf-8',
      body: { code: 'API_KEY_MISSING' },
    });
    const store = app.get(ApiKeyStore);
    const reader = await store.create({ name: 'reader', scopes: ['payments:read'], actor: 'int-spec' });
    expect(
      (await problem(await post(`/v1/payments/${randomUUID()}/failures`, ok, reader.token))).body.code,
    ).toBe('API_KEY_SCOPE_MISSING');
    await store.revoke(reader.record.keyId, { actor: 'int-spec' });
    expect(
      (await problem(await post(`/v1/payments/${randomUUID()}/failures`, ok, reader.token))).body.code,
    ).toBe('API_KEY_REVOKED');
    const invalid = await problem(
      await post('/v1/payments/not-a-uuid/failures', { orderId: 1 }, 'automation-token'),
    );
    expect(invalid).toMatchObject({
      status: 422,
      body: { code: 'REQUEST_INVALID', title: 'The request is not valid' },
    });
    expect(invalid.body.detail).toMatch(/^params: /m);
    expect(invalid.body.detail).toMatch(/^body: /m);
    expect(
      (await problem(await post(`/v1/payments/${randomUUID()}/failures`, '{', 'automation-token'))).body.code,
    ).toBe('REQUEST_MALFORMED');
    expect(
      (
        await problem(
          await post(`/v1/payments/${randomUUID()}/failures`, 'a=b', 'automation-token', 'text/plain'),
        )
      ).body.code,
    ).toBe('UNSUPPORTED_MEDIA_TYPE');
    const unknown = await problem(
      await post('/v1/payments/00000000-0000-4000-8000-000000000000/failures', ok, 'automation-token'),
    );
    expect(unknown).toMatchObject({
      status: 404,
      body: {
        type: 'urn:tributary:problem:PAYMENT_UNKNOWN',
        title: 'No such payment',
        code: 'PAYMENT_UNKNOWN',
        instance: '/v1/payments/00000000-0000-4000-8000-000000000000/failures',
      },
    });
    const noRoute = await problem(await fetch(`${url}/v1/nothing`));
    expect(noRoute).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
  });

  it('turns an answer that breaks its contract into a 500 that hides why', async () => {
    const response = await fetch(`${url}/v1/broken`);
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({
      code: 'INTERNAL',
      detail: 'The request failed; the error is logged.',
    });
  });

  it('serves the generated document and exactly the documented routes besides health, metrics and docs', async () => {
    const served = await (await fetch(`${url}/docs/openapi.json`)).json();
    expect(served).toEqual(JSON.parse(JSON.stringify(document())));
    const documented = Object.entries((served as { paths: Record<string, object> }).paths).flatMap(
      ([path, ops]) =>
        Object.keys(ops).map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
    );
    const platform = ['GET /docs/openapi.json', 'GET /health/live', 'GET /health/ready', 'GET /metrics'];
    expect(servedRoutes(app).filter((route) => !platform.includes(route))).toEqual(documented.sort());
    expect(servedRoutes(app)).toEqual(expect.arrayContaining(platform));
  });

  it('reports ready once Postgres, Kafka and the registry answer', async () => {
    const ready = await fetch(`${url}/health/ready`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { info: Record<string, unknown> };
    expect(Object.keys(body.info).sort()).toEqual(['kafka', 'postgres', 'schema_registry']);
  });
});
