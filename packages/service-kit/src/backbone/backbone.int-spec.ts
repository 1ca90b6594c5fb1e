/**
 * Auto-registration off (production): the backbone of a publisher refuses to start while the registry lacks a
 * catalogue schema, and starts once `schemas:register` (here its function) has put them there. Real
 * registry, Kafka and Postgres from the stack; the subjects live under a topic prefix of this test only.
 */
import { SchemaRegistryAdmin, loadSchemaFiles, registerSchemas, subjectOf } from '@tributary/contracts';
import { createLogger } from '@tributary/observability';
import { createTestDatabase, stackFromEnv, uniqueName } from '@tributary/testkit';
import type { TestDatabase } from '@tributary/testkit';
import { createBackbone } from './backbone.js';
import type { Backbone } from './backbone.js';

const stack = stackFromEnv();
const admin = new SchemaRegistryAdmin({ url: stack.registry.url });
const files = loadSchemaFiles();
const topicPrefix = `${uniqueName('kitreg')}.`;
const subjects = files.map((f) => subjectOf(f, topicPrefix));
let db: TestDatabase;
const opened: Backbone[] = [];

beforeAll(async () => {
  db = await createTestDatabase({ prefix: 'kit_backbone' });
});

afterAll(async () => {
  for (const backbone of opened) {
    for (const step of backbone.shutdownSteps()) {
      try {
        await step.run();
      } catch {
        // a backbone whose start failed has less to close; the rest still goes
      }
    }
  }
  await Promise.all(subjects.map((s) => admin.deleteSubject(s, { permanent: true })));
  await db?.drop();
}, 60_000);

/** `schemaAutoRegister` as the config resolves it from SCHEMA_AUTO_REGISTER and TRIBUTARY_ENV (load-config.spec). */
async function backbone(schemaAutoRegister: boolean): Promise<Backbone> {
  const opening = await createBackbone({
    service: 'kit-test',
    logger: createLogger({ service: 'kit-test', level: 'silent' }),
    config: {
      database: { url: db.url, schema: 'public', poolSize: 2 },
      kafka: { brokers: stack.kafka.brokers, topicPrefix, ensureTopics: false },
      schemaRegistryUrl: stack.registry.url,
      outboxBatchSize: 10,
      outboxShards: 1,
      schemaAutoRegister,
    },
  });
  opened.push(opening);
  return opening;
}

describe('backbone with SCHEMA_AUTO_REGISTER off', () => {
  it('refuses to start while a schema is missing, naming it, and starts after schemas:register', async () => {
    const refused = await backbone(false);
    expect(refused.schemaAutoRegister).toBe(false);
    const placed = `${topicPrefix}commerce.order.v1-tributary.commerce.order.OrderPlaced`;
    expect(subjects).toContain(placed);

    const failure = await refused.start().then(
      () => undefined,
      (error: unknown) => error as Error & { code?: string },
    );
    expect(failure?.code).toBe('SCHEMA_NOT_REGISTERED');
    expect(failure?.message).toContain(`lacks ${files.length} schema(s)`);
    expect(failure?.message).toContain(placed);
    expect(failure?.message).toContain(`npm run schemas:register -- --topic-prefix ${topicPrefix}`);
    // Nothing was registered on the way.
    expect(await admin.listVersions(placed)).toEqual([]);

    // One schema registered is not enough: the message names exactly what is still missing.
    const [first, ...rest] = files;
    await registerSchemas(admin, [first!], { topicPrefix });
    const partly = await backbone(false);
    const stillMissing = await partly.start().then(
      () => undefined,
      (error: unknown) => (error as Error).message,
    );
    expect(stillMissing).toContain(`lacks ${rest.length} schema(s)`);
    expect(stillMissing).not.toContain(subjectOf(first!, topicPrefix));

    await registerSchemas(admin, rest, { topicPrefix });
    const started = await backbone(false);
    await expect(started.start()).resolves.toBeUndefined();
    // The encoder finds the registered id and registers nothing new.
    const record = await started.encoder.encode({
      id: '5f1a0f2e-1b2c-4d3e-8f40-000000000001',
      type: 'commerce.order.cancelled',
      source: '/tributary/kit-test',
      subject: 'order-1',
      time: new Date().toISOString(),
      data: {
        orderId: 'order-1',
        customerId: 'contact-1',
        reason: 'CUSTOMER_REQUEST',
        cancelledBy: null,
        note: null,
        cancelledAt: Date.now(),
      },
    } as never);
    const cancelledSubject = `${topicPrefix}commerce.order.v1-tributary.commerce.order.OrderCancelled`;
    const registered = await admin.getVersion(cancelledSubject, 'latest');
    expect(record.value.readInt32BE(1)).toBe(registered.id);
    expect(await admin.listVersions(cancelledSubject)).toEqual([1]);
  }, 90_000);
});
