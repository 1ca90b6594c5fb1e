import { createHash, randomBytes } from 'node:crypto';
import { SchemaRegistryAdmin, eventCatalogue, loadSchemaFiles, registerSchemas } from '@tributary/contracts';
import type { DomainEvent } from '@tributary/contracts';
import { AvroEventDecoder, SchemaRegistryClient, createKafkaClient } from '@tributary/kafka';
import { downLocalStack, endpointsFromEnv, upLocalStack } from '@tributary/testkit';
import type { StackEndpoints } from '@tributary/testkit';
import { startPlatform } from '../platform/platform.js';
import type { RunningPlatform } from '../platform/platform.js';
import { ensureCatalogueTopics } from './topics.js';

export interface DevOptions {
  /** Demo orders per second. */
  readonly rate: number;
  /** example-service's port; ingestion, the DLQ handler and the simulator take the next three. */
  readonly port: number;
  readonly log: (line: string) => void;
}

/**
 * The platform end to end on the local stack: starts (or reuses) Kafka, the registry and Postgres,
 * registers the schemas, creates the catalogue topics, runs every app and the provider simulator from
 * their builds, places demo orders and prints what flows where: HTTP in, each event on Kafka, the
 * simulator's effects and webhooks. Ctrl-C stops the traffic, the apps, then the stack it started.
 */
export async function dev(options: DevOptions): Promise<void> {
  const { log } = options;
  const { endpoints, startedStack } = await connectStack(log);
  log(
    `stack  kafka ${endpoints.kafka.brokers.join(',')} · registry ${endpoints.registry.url} · postgres ${redact(endpoints.postgres.url)}`,
  );
  const registered = await registerSchemas(
    new SchemaRegistryAdmin({ url: endpoints.registry.url }),
    await loadSchemaFiles(),
  );
  log(`schemas ${registered.length} subjects registered or unchanged`);
  log(`topics ${(await ensureCatalogueTopics(endpoints.kafka.brokers)).join(', ')}`);

  // A console key for this session only: printed once, its hash is all the DLQ handler is given.
  const dlqToken = randomBytes(18).toString('base64url');
  const platform = await startPlatform({
    endpoints,
    ports: {
      exampleService: options.port,
      ingestion: options.port + 1,
      dlqHandler: options.port + 2,
      simulator: options.port + 3,
    },
    appEnv: {
      DLQ_API_KEYS: `dev:${createHash('sha256').update(dlqToken).digest('hex')}:dlq:read+dlq:replay+dlq:discard`,
    },
    // Real-world delivery: late and sometimes twice. Ingestion dedupes; the checkout stays correct.
    simulatorEnv: { WEBHOOK_DUPLICATE: '2', WEBHOOK_REORDER: 'true', EASYPOST_TRACKING_STEP_MS: '1500' },
    onOutput: (app, chunk) => {
      for (const line of chunk.split('\n').filter(Boolean)) log(`${app.padEnd(6).slice(0, 22)} ${line}`);
    },
    log,
  });
  log(
    `ready  orders ${platform.exampleServiceUrl}/v1/orders · webhooks ${platform.ingestionUrl}/webhooks/:provider`,
  );
  if (platform.dlqHandlerUrl)
    log(`ready  DLQ console ${platform.dlqHandlerUrl}/console (API key for this session: ${dlqToken})`);
  log(`ready  connectors: ${platform.connectors.map((c) => `connector-${c.id} (${c.provider})`).join(', ')}`);

  const tap = await tapCatalogue(endpoints, log);
  const effects = watchSimulator(platform, log);
  let sequence = 0;
  const traffic = setInterval(
    () => {
      sequence += 1;
      void placeDemoOrder(platform.exampleServiceUrl, sequence).then(
        (order) => log(`http   POST /v1/orders → 202 ${order.orderNumber} (order ${order.orderId})`),
        (error: unknown) => log(`http   POST /v1/orders failed: ${(error as Error).message}`),
      );
    },
    Math.max(10, Math.round(1000 / options.rate)),
  );

  let stopping = false;
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
    for (const [name, app] of platform.apps) {
      void app.exited.then(({ code, signal }) => {
        if (stopping) return;
        log(`app    ${name} exited (${signal ?? code}); stopping`);
        resolve();
      });
    }
  });
  stopping = true;
  log('stopping: traffic, taps, apps' + (startedStack ? ', stack' : ''));
  clearInterval(traffic);
  effects.stop();
  await tap.stop();
  await platform.stop();
  if (startedStack) await downLocalStack({ log: (l) => log(`stack  ${l}`) });
}

/** Connection details from the environment, else the local stack; only a stack started here is stopped here. */
async function connectStack(
  log: (line: string) => void,
): Promise<{ endpoints: StackEndpoints; startedStack: boolean }> {
  const given = endpointsFromEnv(process.env);
  if (given) return { endpoints: given, startedStack: false };
  const { state, reused } = await upLocalStack({ owner: 'cli', log: (line) => log(`stack  ${line}`) });
  return { endpoints: state.endpoints, startedStack: !reused };
}

const streets = ['Main Street', 'Harbour Road', 'Market Square', 'Station Lane'];

async function placeDemoOrder(
  appUrl: string,
  sequence: number,
): Promise<{ orderNumber: string; orderId: string }> {
  const response = await fetch(`${appUrl}/v1/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'correlation-id': `demo-${sequence}` },
    body: JSON.stringify({
      // A handful of returning customers: their CRM contact is written once, then left unchanged.
      customerId: demoCustomer(sequence % 17),
      currency: 'EUR',
      channel: 'web',
      lines: [{ sku: `SKU-${sequence % 5}`, quantity: (sequence % 3) + 1, unitPriceMinor: 1999 }],
      shipTo: {
        recipientName: `Demo Customer ${(sequence % 17) + 1}`,
        line1: `${(sequence % 90) + 1} ${streets[sequence % streets.length]}`,
        postalCode: '10115',
        city: 'Berlin',
        countryCode: 'DE',
      },
    }),
  });
  if (response.status !== 202) throw new Error(`HTTP ${response.status}: ${await response.text()}`);
  return (await response.json()) as { orderNumber: string; orderId: string };
}

/** A stable UUID per demo customer, so the same customer comes back across runs. */
function demoCustomer(n: number): string {
  const hex = createHash('sha256').update(`tributary-demo-customer-${n}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Reads every catalogue topic as an observer (its own group, from the end) and prints each event. */
async function tapCatalogue(endpoints: StackEndpoints, log: (line: string) => void) {
  const kafka = createKafkaClient({ clientId: 'tributary-dev-tap', brokers: endpoints.kafka.brokers });
  const decoder = new AvroEventDecoder({
    registry: new SchemaRegistryClient({ url: endpoints.registry.url }),
    readerDefinitions: Object.values(eventCatalogue),
  });
  const consumer = kafka.consumer({ groupId: `tributary-dev-tap-${process.pid}` });
  await consumer.connect();
  const topics = [...new Set(Object.values(eventCatalogue).map((definition) => definition.topic))];
  await consumer.subscribe({ topics, fromBeginning: false });
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      const event: DomainEvent = await decoder.decode(message);
      const lagMs = Date.now() - Date.parse(event.time);
      log(
        `kafka  ${topic}[${partition}]@${message.offset} ${event.type} subject=${event.subject} from ${event.source} (${lagMs} ms after the event)`,
      );
    },
  });
  return { stop: () => consumer.disconnect() };
}

/** Prints each new effect the simulator applied and each webhook it delivered, polling its admin API. */
function watchSimulator(platform: RunningPlatform, log: (line: string) => void) {
  const effects = new Map<string, number>();
  let deliveries = 0;
  const timer = setInterval(() => {
    void (async () => {
      const ledger = (await (await fetch(`${platform.simulatorUrl}/__admin/ledger`)).json()) as {
        entries: Array<{ route: string; idempotencyKey: string; requests: number; effects: number }>;
      };
      for (const entry of ledger.entries) {
        const id = `${entry.route} ${entry.idempotencyKey}`;
        if ((effects.get(id) ?? -1) === entry.requests) continue;
        effects.set(id, entry.requests);
        log(
          `sim    ${entry.route} key=${entry.idempotencyKey} requests=${entry.requests} effects=${entry.effects}`,
        );
      }
      const sent = (await (await fetch(`${platform.simulatorUrl}/__admin/webhooks`)).json()) as Array<{
        provider: string;
        type: string;
        eventId: string;
        status: number | null;
      }>;
      for (const d of sent.slice(deliveries))
        log(`sim    webhook ${d.provider} ${d.type} ${d.eventId} → ingestion ${d.status ?? 'no answer'}`);
      deliveries = sent.length;
    })().catch(() => undefined);
  }, 500);
  return { stop: () => clearInterval(timer) };
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]+@/, '//$1:***@');
}
