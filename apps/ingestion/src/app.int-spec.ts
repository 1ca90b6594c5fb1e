import { renderOpenApi } from '@tributary/service-kit/http';
import { servedRoutes } from '@tributary/service-kit/nest';
import { startIngestion, testEnvironment } from '../test/support/ingestion.js';
import type { RunningIngestion, TestEnvironment } from '../test/support/ingestion.js';
import { post, signedStripe, stripeSucceeded } from '../test/support/webhooks.js';
import { EVENT_LOG_REPOSITORY } from './event-log/event-log.tokens.js';
import type { EventLogRepository } from './event-log/event-log.repository.js';
import { openApi } from './http/openapi.js';

describe('ingestion operations', () => {
  let environment: TestEnvironment;
  let ingestion: RunningIngestion;

  beforeAll(async () => {
    environment = await testEnvironment('ingestion_ops');
    ingestion = await startIngestion(environment);
  });

  afterAll(async () => {
    await ingestion?.close();
    await environment?.close();
  });

  it('reports liveness, readiness of Postgres, Kafka and the registry, and metrics by route and status', async () => {
    expect((await fetch(`${ingestion.url}/health/live`)).status).toBe(200);
    const ready = (await (await fetch(`${ingestion.url}/health/ready`)).json()) as {
      status: string;
      info: object;
    };
    expect(ready.status).toBe('ok');
    expect(Object.keys(ready.info).sort()).toEqual(['kafka', 'postgres', 'schema_registry']);
    await post(`${ingestion.url}/webhooks/stripe`, signedStripe(stripeSucceeded()));
    const metrics = await (await fetch(`${ingestion.url}/metrics`)).text();
    expect(metrics).toMatch(/tributary_webhooks_received_total\{provider="stripe",outcome="accepted"\} \d+/);
    expect(metrics).toMatch(
      /tributary_http_request_duration_seconds_count\{method="POST",route="\/webhooks\/:provider",status="202"\} \d+/,
    );
    expect(metrics).toContain('tributary_outbox_pending_messages');
  });

  it('serves the OpenAPI document it was built with, and problem documents for unknown routes', async () => {
    const served = await fetch(`${ingestion.url}/docs/openapi.json`);
    expect(JSON.parse(await served.text())).toEqual(JSON.parse(renderOpenApi(openApi())));
    expect(await (await fetch(`${ingestion.url}/docs`)).text()).toContain('/v1/events');
    const missing = await fetch(`${ingestion.url}/v2/events`);
    expect(missing.headers.get('content-type')).toContain('application/problem+json');
    expect(await missing.json()).toMatchObject({ status: 404, code: 'NOT_FOUND' });
  });

  it('serves exactly the documented routes besides health, metrics and docs', () => {
    const paths = openApi()['paths'] as Record<string, object>;
    const documented = Object.entries(paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
    );
    const platform = [
      'GET /docs',
      'GET /docs/openapi.json',
      'GET /health/live',
      'GET /health/ready',
      'GET /metrics',
    ];
    expect(servedRoutes(ingestion.app).filter((route) => !platform.includes(route))).toEqual(
      documented.sort(),
    );
    expect(servedRoutes(ingestion.app)).toEqual(expect.arrayContaining(platform));
  });

  it('deletes event log entries past the retention and keeps the rest', async () => {
    const old = stripeSucceeded();
    const recent = stripeSucceeded();
    for (const event of [old, recent])
      expect((await post(`${ingestion.url}/webhooks/stripe`, signedStripe(event))).status).toBe(202);
    await ingestion.dataSource.query(
      `UPDATE event_log SET received_at = now() - interval '8 days' WHERE dedupe_key = $1`,
      [old.id],
    );
    const repository = ingestion.app.get<EventLogRepository>(EVENT_LOG_REPOSITORY);
    expect(await repository.deleteOlderThan(ingestion.config.eventLog.retentionSeconds)).toBe(1);
    const left = (await ingestion.dataSource.query(
      `SELECT dedupe_key FROM event_log WHERE dedupe_key = ANY($1)`,
      [[old.id, recent.id]],
    )) as Array<{ dedupe_key: string }>;
    expect(left.map((row) => row.dedupe_key)).toEqual([recent.id]);
    // Its events went with it (ON DELETE CASCADE): a delivery is remembered as a whole or not at all.
    const orphans = (await ingestion.dataSource.query(
      `SELECT count(*)::int AS n FROM event_log_events e LEFT JOIN event_log l ON l.id = e.log_id WHERE l.id IS NULL`,
    )) as Array<{ n: number }>;
    expect(orphans[0]!.n).toBe(0);
  });
});
