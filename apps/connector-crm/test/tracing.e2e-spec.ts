import { fileURLToPath } from 'node:url';
import type { ConnectorProcessHarness } from '@tributary/connector-sdk/testing';
import { pickFreePorts, stackFromEnv, startBuiltApp, waitFor } from '@tributary/testkit';
import type { NodeProcessHandle } from '@tributary/testkit';
import { hubspotSignatureV3 } from '@tributary/webhooks';
import { startOtlpReceiver } from './otlp-receiver.js';
import type { OtlpReceiver, ReceivedSpan } from './otlp-receiver.js';
import { crmHarness } from './support.js';

// Needs the builds (`npm run build`): ingestion and the connector run from dist, as in production.
const ingestionMain = fileURLToPath(new URL('../../ingestion/dist/main.js', import.meta.url));
const HUBSPOT_SECRET = 'hubspot-client-secret-tracing-e2e';
const SERVER = 2;
const CLIENT = 3;
const CONSUMER = 5;

interface ReceivedRequest {
  route: string;
  traceparent: string | null;
}

/**
 * One webhook through three processes, each exporting its spans over OTLP/HTTP to a receiver in this test:
 * HubSpot's signed contact webhook → ingestion (server span; event log + outbox) → Kafka →
 * connector-crm (consumer span, inbox transaction) → the contact read at the simulated HubSpot (client
 * span), whose `traceparent` the simulator records. One trace id from the webhook's request to that header.
 */
describe('one trace from a webhook to the provider call', () => {
  let receiver: OtlpReceiver;
  let harness: ConnectorProcessHarness;
  let ingestion: NodeProcessHandle;
  let ingestionUrl: string;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    const otel = {
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      // Spans reach the receiver within a fraction of a second instead of the default 5 s.
      OTEL_BSP_SCHEDULE_DELAY: '100',
    };
    harness = await crmHarness(otel);
    const [port] = await pickFreePorts(1);
    ingestionUrl = `http://127.0.0.1:${port}`;
    const stack = stackFromEnv();
    ingestion = await startBuiltApp(ingestionMain, {
      name: 'ingestion',
      readyUrl: `${ingestionUrl}/health/ready`,
      env: {
        PORT: String(port),
        LOG_LEVEL: 'warn',
        DATABASE_URL: harness.databaseUrl,
        DATABASE_SCHEMA: 'ingestion',
        KAFKA_BROKERS: stack.kafka.brokers.join(','),
        SCHEMA_REGISTRY_URL: stack.registry.url,
        KAFKA_TOPIC_PREFIX: harness.topicPrefix,
        HUBSPOT_CLIENT_SECRETS: HUBSPOT_SECRET,
        PUBLIC_BASE_URL: ingestionUrl,
        // The contact's internal id comes from the connector's external_refs, as in a deployment.
        EXTERNAL_REFS_SCHEMAS: `hubspot=${harness.schema}`,
        ...otel,
      },
    });
  }, 240_000);

  afterAll(async () => {
    await ingestion?.kill('SIGTERM');
    await harness?.close();
    await receiver?.close();
  }, 60_000);

  it('carries one trace id from the webhook request through Kafka to the traceparent HubSpot receives', async () => {
    // A contact HubSpot holds, changed in HubSpot's UI: the connector answers the notice by reading it.
    const seeded = (await (
      await fetch(`${harness.simUrl}/__admin/seed`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ provider: 'hubspot', count: 1 }),
      })
    ).json()) as { objects: Array<{ id: string }> };
    const objectId = Number(seeded.objects[0]!.id);
    const body = JSON.stringify([
      {
        eventId: 1,
        subscriptionId: 1,
        portalId: 62515,
        appId: 1,
        occurredAt: Date.now(),
        subscriptionType: 'contact.propertyChange',
        propertyName: 'lifecyclestage',
        propertyValue: 'lead',
        changeSource: 'CRM_UI',
        attemptNumber: 0,
        objectId,
      },
    ]);
    const url = `${ingestionUrl}/webhooks/hubspot`;
    // No traceparent: HubSpot sends none, so the webhook's request starts the trace.
    const response = await fetch(url, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        ...hubspotSignatureV3.sign({ body: Buffer.from(body), method: 'POST', url }, HUBSPOT_SECRET),
      },
    });
    expect(response.status).toBe(202);

    // What HubSpot saw: the read, with the traceparent of the connector's client span.
    const read = await waitFor(
      async () => {
        const requests = (await (
          await fetch(
            `${harness.simUrl}/__admin/requests?route=${encodeURIComponent('GET /crm/v3/objects/contacts/:id')}`,
          )
        ).json()) as ReceivedRequest[];
        return requests[0];
      },
      {
        timeoutMs: 60_000,
        message: 'the connector read the contact',
      },
    );
    const [, traceId, callSpanId] = /^00-([\da-f]{32})-([\da-f]{16})-01$/.exec(read.traceparent ?? '') ?? [];
    expect(traceId).toBeDefined();

    const spanOf = (what: string, match: (span: ReceivedSpan) => boolean) =>
      waitFor(() => receiver.spans.find(match), { timeoutMs: 30_000, message: what });
    const webhook = await spanOf(
      'the webhook server span',
      (s) => s.service === 'ingestion' && s.kind === SERVER && s.name === 'POST /webhooks/:provider',
    );
    const call = await spanOf('the provider call span', (s) => s.spanId === callSpanId);
    const handler = await spanOf('the handler span', (s) => s.spanId === call.parentSpanId);
    const eventLog = await spanOf(
      'the event log insert span',
      (s) => s.name === 'event_log insert' && s.traceId === traceId,
    );
    const inbox = await spanOf(
      'the inbox transaction span',
      (s) => s.name === 'inbox transaction' && s.traceId === traceId,
    );

    // The webhook's request is the root, and every hop after it is in its trace.
    expect(webhook.traceId).toBe(traceId);
    expect(webhook.parentSpanId).toBeUndefined();
    expect(webhook.attributes['http.response.status_code']).toBe(202);
    // The webhook's event log entry and outbox row, written in its request.
    expect(eventLog).toMatchObject({ service: 'ingestion', kind: CLIENT, parentSpanId: webhook.spanId });
    // Kafka: the event's traceparent header named the webhook's span, so the handler is its child.
    expect(handler).toMatchObject({
      service: 'connector-crm',
      kind: CONSUMER,
      name: `process ${harness.topicPrefix}crm.contact.v1`,
      traceId,
      parentSpanId: webhook.spanId,
    });
    expect(call).toMatchObject({
      service: 'connector-crm',
      kind: CLIENT,
      traceId,
      statusCode: 0,
      attributes: expect.objectContaining({ 'http.request.method': 'GET', 'http.response.status_code': 200 }),
    });
    expect(inbox).toMatchObject({ service: 'connector-crm', parentSpanId: handler.spanId });

    // The outbox row the connector wrote continues the trace too (the relay publishes it as stored).
    const eventId = handler.attributes['messaging.message.id'];
    const [row] = await harness.query<{ traceparent: string }>(
      `SELECT headers->>'traceparent' AS traceparent FROM "${harness.schema}".outbox WHERE headers->>'causation-id' = $1`,
      [eventId],
    );
    // Named by the span it was written in: the handler's, or the inbox transaction's inside it.
    const [, rowTrace, rowSpan] = /^00-([\da-f]{32})-([\da-f]{16})-01$/.exec(row?.traceparent ?? '') ?? [];
    expect(rowTrace).toBe(traceId);
    expect([handler.spanId, inbox.spanId]).toContain(rowSpan);
  }, 120_000);
});
