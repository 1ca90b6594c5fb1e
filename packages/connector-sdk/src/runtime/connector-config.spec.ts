import { z } from 'zod';
import { ConfigError } from '@tributary/service-kit';
import type { CredentialMode } from '@tributary/service-kit';
import { loadConnectorConfig } from './connector-config.js';
import { defineConnector } from '../define-connector.js';
import { topicsOf } from './run-connector.js';

const definition = { id: 'crm-sync', config: z.object({ CRM_API_KEY: z.string().min(1) }) };
const platform = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/db',
  KAFKA_BROKERS: '127.0.0.1:9092, 127.0.0.1:9093',
  SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081',
};

describe('loadConnectorConfig', () => {
  it('derives group and schema from the connector id and parses both schemas', () => {
    const config = loadConnectorConfig(definition, {
      ...platform,
      CRM_API_KEY: 'secret',
      PROVIDER_TIMEOUT_MS: '2500',
    });
    expect(config.connector).toEqual({ CRM_API_KEY: 'secret' });
    expect(config.platform.kafka.brokers).toEqual(['127.0.0.1:9092', '127.0.0.1:9093']);
    expect(config.platform.consumer).toMatchObject({
      group: 'connector-crm-sync',
      retryTiers: ['5s', '1m', '10m'],
    });
    expect(config.platform.database.schema).toBe('connector_crm_sync');
    expect(config.platform.provider).toEqual({ timeoutMs: 2500 });
  });

  it('takes operator overrides of the provider quota, concurrency and a topic prefix', () => {
    const config = loadConnectorConfig(definition, {
      ...platform,
      CRM_API_KEY: 'secret',
      PROVIDER_RATE_LIMIT_RPS: '250',
      PROVIDER_RATE_LIMIT_BURST: '50',
      CONSUMER_CONCURRENCY: '6',
      KAFKA_TOPIC_PREFIX: 'bench.',
    });
    expect(config.platform.provider).toEqual({ rateLimit: { requestsPerSecond: 250, burst: 50 } });
    expect(config.platform.consumer.concurrency).toBe(6);
    expect(config.platform.kafka.topicPrefix).toBe('bench.');
    const defaults = loadConnectorConfig(definition, { ...platform, CRM_API_KEY: 's' }).platform;
    expect({
      concurrency: defaults.consumer.concurrency,
      keyConcurrency: defaults.consumer.keyConcurrency,
      prefix: defaults.kafka.topicPrefix,
    }).toEqual({ concurrency: 1, keyConcurrency: 8, prefix: '' });
    expect(() =>
      loadConnectorConfig(definition, { ...platform, CRM_API_KEY: 's', KAFKA_TOPIC_PREFIX: 'a b' }),
    ).toThrow(/KAFKA_TOPIC_PREFIX/);
  });

  it('names every bad or missing variable, the platform and the connector ones alike', () => {
    let error: unknown;
    try {
      loadConnectorConfig(definition, { ...platform, DATABASE_URL: 'mysql://x', PORT: 'eighty' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('DATABASE_URL');
    expect(message).toContain('PORT');
    expect(message).toContain('CRM_API_KEY');
    expect(message).not.toContain('KAFKA_BROKERS');
  });

  it('reads provider credentials from <NAME>_FILE like every other variable', () => {
    const config = loadConnectorConfig(
      definition,
      { ...platform, CRM_API_KEY_FILE: '/run/secrets/crm' },
      (path) => (path === '/run/secrets/crm' ? 'from-file\n' : ''),
    );
    expect(config.connector).toEqual({ CRM_API_KEY: 'from-file' });
  });
});

describe('defineConnector', () => {
  const base = {
    id: 'payments',
    provider: 'stripe',
    config: z.object({}),
    http: () => ({ baseUrl: 'http://127.0.0.1' }),
    client: () => ({}),
    handlers: { 'payments.payment.requested': async () => undefined },
    idempotency: { idempotentBy: 'a test connector without effects' },
  };

  it('consumes the topics of the handled event types', () => {
    expect(topicsOf(defineConnector(base))).toEqual(['payments.payment.v1']);
  });

  it('refuses a definition it can tell is broken', () => {
    expect(() => defineConnector({ ...base, id: 'Payments!' })).toThrow(/id/);
    expect(() => defineConnector({ ...base, handlers: {} })).toThrow(/handler/);
  });
});

describe('loadConnectorConfig: credentials against TRIBUTARY_ENV', () => {
  const withCredentials = {
    id: 'acme',
    provider: 'acme',
    config: z.object({ ACME_KEY: z.string().min(1), ACME_TOKEN: z.string().min(1).optional() }),
    credentials: {
      ACME_KEY: { classify: (key: string): CredentialMode => (key.startsWith('live_') ? 'live' : 'test') },
      ACME_TOKEN: { classify: (): CredentialMode => 'unknown', unknownBecause: 'tokens carry no mode' },
    },
  } as const;
  const refusal = (env: Record<string, string>): string => {
    try {
      loadConnectorConfig(withCredentials, { ...platform, ...env });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    }
    throw new Error('expected the boot to be refused');
  };

  it('refuses a live key outside production and a test key in it, by variable, never echoing it', () => {
    const live = refusal({ ACME_KEY: 'live_s3cr3t', TRIBUTARY_ENV: 'staging' });
    expect(live).toMatch(/^ {2}ACME_KEY: a live acme credential is refused in TRIBUTARY_ENV=staging/m);
    expect(refusal({ ACME_KEY: 'live_s3cr3t' })).toContain('refused in TRIBUTARY_ENV=development');
    const test = refusal({ ACME_KEY: 'test_s3cr3t', TRIBUTARY_ENV: 'production' });
    expect(test).toMatch(/^ {2}ACME_KEY: a test acme credential is refused in TRIBUTARY_ENV=production/m);
    expect(live + test).not.toContain('s3cr3t');
  });

  it('boots a matching key, and an unknown one anywhere, saying which could not be checked', () => {
    const production = loadConnectorConfig(withCredentials, {
      ...platform,
      TRIBUTARY_ENV: 'production',
      ACME_KEY: 'live_1',
      ACME_TOKEN: 'tok',
    });
    expect(production.platform.environment).toBe('production');
    expect(production.credentials).toEqual([
      { variable: 'ACME_KEY', mode: 'live' },
      { variable: 'ACME_TOKEN', mode: 'unknown', unknownBecause: 'tokens carry no mode' },
    ]);
    // An optional credential left unset has nothing to check.
    const development = loadConnectorConfig(withCredentials, { ...platform, ACME_KEY: 'test_1' });
    expect(development.credentials).toEqual([{ variable: 'ACME_KEY', mode: 'test' }]);
  });

  it('checks a credential read from <NAME>_FILE too', () => {
    expect(() =>
      loadConnectorConfig(
        withCredentials,
        { ...platform, TRIBUTARY_ENV: 'test', ACME_KEY_FILE: '/run/secrets/acme' },
        () => 'live_from_file\n',
      ),
    ).toThrow(/ACME_KEY: a live acme credential is refused in TRIBUTARY_ENV=test/);
  });
});

describe('defineConnector: credentials', () => {
  const base = {
    id: 'acme',
    provider: 'acme',
    config: z.object({ ACME_KEY: z.string() }),
    http: () => ({ baseUrl: 'http://127.0.0.1' }),
    client: () => ({}),
    handlers: { 'payments.payment.requested': async () => undefined },
    idempotency: { idempotentBy: 'a test connector without effects' },
  };

  it('refuses a check of a variable the config does not have, or one without classify', () => {
    const misnamed = { ACME_KYE: { classify: () => 'test' as const } } as never;
    expect(() => defineConnector({ ...base, credentials: misnamed })).toThrow(
      "credentials.ACME_KYE: not a variable of the connector's config",
    );
    const noClassify = { ACME_KEY: {} } as never;
    expect(() => defineConnector({ ...base, credentials: noClassify })).toThrow(
      'credentials.ACME_KEY must have a classify function',
    );
    expect(
      defineConnector({ ...base, credentials: { ACME_KEY: { classify: () => 'test' } } }).credentials,
    ).toBeDefined();
  });
});
