import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ApiKeyStore } from '@tributary/service-kit/api-keys';
import { DATA_SOURCE, createServiceApp } from '@tributary/service-kit/nest';
import { createTestDatabase, stackFromEnv, uniqueName } from '@tributary/testkit';
import type { TestDatabase } from '@tributary/testkit';
import type { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module.js';
import type { ApiKeyScope } from '../../src/api-keys/api-key-scopes.js';
import { loadIngestionConfig } from '../../src/ingestion.config.js';
import type { IngestionConfig } from '../../src/ingestion.config.js';

export const secrets = {
  stripe: 'whsec_test_4eC39HqLyjWDarjtT1zdp7dc',
  stripeNext: 'whsec_test_9fK21LmQpZrTyUwXvBnM3c4d',
  github: "It's a Secret to Everybody",
  hubspot: 'hubspot-client-secret-0123456789',
  easypost: 'easypost-webhook-secret-42',
} as const;

export interface TestEnvironment {
  readonly database: TestDatabase;
  /** Unique per test file: the app's topics are `<prefix><catalogue topic>`. */
  readonly topicPrefix: string;
  readonly env: Record<string, string>;
  close(): Promise<void>;
}

/** A private database and topic prefix on the shared stack, and the environment an ingestion app needs. */
export async function testEnvironment(
  name: string,
  env: Record<string, string> = {},
): Promise<TestEnvironment> {
  const stack = stackFromEnv();
  const database = await createTestDatabase({ prefix: name });
  const topicPrefix = `${uniqueName(name)}.`;
  return {
    database,
    topicPrefix,
    env: {
      DATABASE_URL: database.url,
      KAFKA_BROKERS: stack.kafka.brokers.join(','),
      SCHEMA_REGISTRY_URL: stack.registry.url,
      KAFKA_TOPIC_PREFIX: topicPrefix,
      LOG_LEVEL: 'warn',
      STRIPE_WEBHOOK_SECRETS: secrets.stripe,
      GITHUB_WEBHOOK_SECRETS: secrets.github,
      HUBSPOT_CLIENT_SECRETS: secrets.hubspot,
      ...env,
    },
    close: () => database.drop(),
  };
}

export interface RunningIngestion {
  readonly url: string;
  readonly app: NestFastifyApplication;
  readonly config: IngestionConfig;
  readonly dataSource: DataSource;
  createApiKey(
    scopes: readonly ApiKeyScope[],
    options?: { name?: string; expiresAt?: Date },
  ): Promise<string>;
  close(): Promise<void>;
}

/** Boots the app in this process as main.ts does (same module, same HTTP setup), on a free port. */
export async function startIngestion(
  environment: TestEnvironment,
  env: Record<string, string | undefined> = {},
): Promise<RunningIngestion> {
  const config = loadIngestionConfig({ ...environment.env, ...env });
  const app = await createServiceApp(AppModule.forRoot(config), config, { rawBody: true });
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const dataSource = app.get<DataSource>(DATA_SOURCE);
  const keys = app.get(ApiKeyStore);
  return {
    url,
    app,
    config,
    dataSource,
    createApiKey: async (scopes, options = {}) =>
      (
        await keys.create({
          name: options.name ?? 'test-client',
          scopes,
          actor: 'int-spec',
          ...(options.expiresAt ? { expiresAt: options.expiresAt } : {}),
        })
      ).token,
    close: () => app.close(),
  };
}

/**
 * Row counts of every table a request could write: "a refused request leaves no row anywhere". The audit
 * entries of API keys the test itself issued or revoked (through ApiKeyStore, as the CLI does) are no
 * request's doing, so they are not counted.
 */
export async function rowCounts(dataSource: DataSource): Promise<Record<string, number>> {
  const rows = (await dataSource.query(
    `SELECT (SELECT count(*) FROM event_log)::int AS event_log,
            (SELECT count(*) FROM event_log_events)::int AS event_log_events,
            (SELECT count(*) FROM outbox)::int AS outbox,
            (SELECT count(*) FROM external_refs)::int AS external_refs,
            (SELECT count(*) FROM audit_log WHERE action NOT LIKE 'api-key.%')::int AS audit_log`,
  )) as Array<Record<string, number>>;
  return rows[0]!;
}
