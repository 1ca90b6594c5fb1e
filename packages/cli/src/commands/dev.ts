import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { SchemaRegistryAdmin, eventCatalogue, loadSchemaFiles, registerSchemas } from '@tributary/contracts';
import { AvroEventDecoder, SchemaRegistryClient, createKafkaClient } from '@tributary/kafka';
import { downLocalStack, endpointsFromEnv, endpointsToEnv, upLocalStack } from '@tributary/testkit';
import type { StackEndpoints } from '@tributary/testkit';
import { ensureCatalogueTopics } from './topics.js';

export interface DevOptions {
  /** Demo orders per second. */
  readonly rate: number;
  readonly port: number;
  readonly log: (line: string) => void;
}

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/**
 * The platform end to end on the local stack: starts (or reuses) Kafka, the registry and Postgres,
 * registers the schemas, creates the catalogue topics, runs the apps from their builds, drives demo
 * traffic and prints what flows where. Ctrl-C stops the apps gracefully, then the stack it started.
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
  const topics = await ensureCatalogueTopics(endpoints.kafka.brokers);
  log(`topics ${topics.join(', ')}`);

  const env = { ...process.env, ...endpointsToEnv(endpoints), PORT: String(options.port), LOG_LEVEL: 'warn' };
  const app = spawn(process.execPath, ['apps/example-service/dist/main.js'], {
    cwd: repoRoot,
    env,
    stdio: 'inherit',
  });
  const appUrl = `http://127.0.0.1:${options.port}`;
  await waitUntilReady(`${appUrl}/health/ready`, app);
  log(`app    example-service ready on ${appUrl} (metrics at /metrics)`);

  const tap = await tapTopic(endpoints, 'commerce.order.v1', log);
  let sequence = 0;
  const traffic = setInterval(
    () => {
      sequence += 1;
      void placeDemoOrder(appUrl, sequence).then(
        (order) => log(`http   POST /v1/orders → 202 ${order.orderNumber} (event ${order.eventId})`),
        (error: unknown) => log(`http   POST /v1/orders failed: ${(error as Error).message}`),
      );
    },
    Math.max(10, Math.round(1000 / options.rate)),
  );

  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
    app.once('exit', () => resolve());
  });
  log('stopping: traffic, tap, apps' + (startedStack ? ', stack' : ''));
  clearInterval(traffic);
  await tap.stop();
  if (app.exitCode === null) {
    app.kill('SIGTERM');
    await once(app, 'exit');
  }
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

async function placeDemoOrder(
  appUrl: string,
  sequence: number,
): Promise<{ orderNumber: string; eventId: string }> {
  const response = await fetch(`${appUrl}/v1/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'correlation-id': `demo-${sequence}` },
    body: JSON.stringify({
      customerId: `customer-${(sequence % 17) + 1}`,
      currency: 'EUR',
      channel: 'web',
      lines: [{ sku: `SKU-${sequence % 5}`, quantity: (sequence % 3) + 1, unitPriceMinor: 1999 }],
    }),
  });
  if (response.status !== 202) throw new Error(`HTTP ${response.status}: ${await response.text()}`);
  return (await response.json()) as { orderNumber: string; eventId: string };
}

/** Reads a topic as an observer (its own group, from the end) and prints each decoded event. */
async function tapTopic(endpoints: StackEndpoints, topic: string, log: (line: string) => void) {
  const kafka = createKafkaClient({ clientId: 'tributary-dev-tap', brokers: endpoints.kafka.brokers });
  const decoder = new AvroEventDecoder({
    registry: new SchemaRegistryClient({ url: endpoints.registry.url }),
    readerDefinitions: Object.values(eventCatalogue),
  });
  const consumer = kafka.consumer({ groupId: `tributary-dev-tap-${process.pid}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: false });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      const event = await decoder.decode(message);
      const lagMs = Date.now() - Date.parse(event.time);
      log(
        `kafka  ${topic}[${partition}]@${message.offset} ${event.type} subject=${event.subject} (${lagMs} ms after the event)`,
      );
    },
  });
  return { stop: () => consumer.disconnect() };
}

async function waitUntilReady(url: string, app: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (app.exitCode !== null) throw new Error(`the app exited with ${app.exitCode} before it was ready`);
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${url} was not ready within 60 s`);
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]+@/, '//$1:***@');
}
