import { ConfigError } from '@tributary/service-kit';
import { loadIngestionConfig } from './ingestion.config.js';

const valid = {
  DATABASE_URL: 'postgres://tributary@127.0.0.1:5432/tributary',
  KAFKA_BROKERS: '127.0.0.1:9092',
  SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081',
};
const stripeSecret = 'whsec_test_4eC39HqLyjWDarjtT1zdp7dc';

describe('loadIngestionConfig', () => {
  it('defaults to no provider served: webhooks fail closed until secrets are configured', () => {
    const config = loadIngestionConfig(valid);
    expect(config.webhookSecrets).toEqual({ easypost: [], github: [], hubspot: [], stripe: [] });
    expect(config.eventLog.retentionSeconds).toBe(7 * 24 * 3600);
    expect(config.kafka).toEqual({ brokers: ['127.0.0.1:9092'], topicPrefix: '', ensureTopics: true });
    expect(config).toMatchObject({
      service: 'ingestion',
      port: 3200,
      database: { schema: 'public', poolSize: 20 },
      rateLimits: { apiPerKey: { ratePerSecond: 100, burst: 200 } },
    });
  });

  it('reads several secrets per provider (rotation), from the variable or its _FILE', () => {
    const config = loadIngestionConfig(
      {
        ...valid,
        STRIPE_WEBHOOK_SECRETS: `${stripeSecret}, whsec_test_9fK21LmQpZrTyUwXvBnM3c4d`,
        GITHUB_WEBHOOK_SECRETS_FILE: '/run/secrets/github',
        HUBSPOT_CLIENT_SECRETS_FILE: '/run/secrets/hubspot',
      },
      (path) =>
        ({
          '/run/secrets/github': "It's a Secret to Everybody\n",
          '/run/secrets/hubspot': 'hubspot-old\nhubspot-new\n',
        })[path] ?? '',
    );
    expect(config.webhookSecrets['stripe']).toHaveLength(2);
    expect(config.webhookSecrets['github']).toEqual(["It's a Secret to Everybody"]);
    expect(config.webhookSecrets['hubspot']).toEqual(['hubspot-old', 'hubspot-new']);
  });

  it('takes configured API keys for ingestion scopes from API_KEYS, and names a bad entry', () => {
    const sha256 = 'a'.repeat(64);
    expect(
      loadIngestionConfig({ ...valid, API_KEYS: `ops:${sha256}:events:read+events:replay` })
        .configuredApiKeys,
    ).toEqual([{ id: 'ops', sha256, scopes: ['events:read', 'events:replay'] }]);
    expect(() => loadIngestionConfig({ ...valid, API_KEYS: `ops:${sha256}:orders:write` })).toThrow(
      /API_KEYS: entry #1/,
    );
  });

  it("shares a provider's external refs with its connector's schema when configured", () => {
    expect(loadIngestionConfig(valid).externalRefsSchemas).toEqual({});
    expect(
      loadIngestionConfig({
        ...valid,
        EXTERNAL_REFS_SCHEMAS: 'easypost=connector_logistics,hubspot=connector_crm',
      }).externalRefsSchemas,
    ).toEqual({ easypost: 'connector_logistics', hubspot: 'connector_crm' });
    expect(() => loadIngestionConfig({ ...valid, EXTERNAL_REFS_SCHEMAS: 'easypost=Bad-Schema' })).toThrow(
      /EXTERNAL_REFS_SCHEMAS: expected provider=schema pairs/,
    );
  });

  it('names the variable of a secret the scheme cannot use, and of every bad value', () => {
    expect(() => loadIngestionConfig({ ...valid, STRIPE_WEBHOOK_SECRETS: 'short' })).toThrow(
      /STRIPE_WEBHOOK_SECRETS: secret #1/,
    );
    expect(() =>
      loadIngestionConfig({ ...valid, STRIPE_WEBHOOK_SECRETS_FILE: '/run/secrets/stripe' }, () => 'short\n'),
    ).toThrow(/STRIPE_WEBHOOK_SECRETS: secret #1/);
    expect(() => loadIngestionConfig({ ...valid, EVENT_LOG_RETENTION_DAYS: '3' })).toThrow(
      /EVENT_LOG_RETENTION_DAYS/,
    );
    expect(() => loadIngestionConfig({ ...valid, KAFKA_TOPIC_PREFIX: 'a b' })).toThrow(/KAFKA_TOPIC_PREFIX/);
    expect(() => loadIngestionConfig({ KAFKA_BROKERS: 'x:1' })).toThrow(ConfigError);
    expect(() => loadIngestionConfig({ KAFKA_BROKERS: 'x:1' })).toThrow(
      /DATABASE_URL[\s\S]*SCHEMA_REGISTRY_URL/,
    );
  });

  describe('webhook sources by configuration', () => {
    const source = {
      name: 'acme',
      scheme: { type: 'standard-webhooks' },
      secretsEnv: 'ACME_WEBHOOK_SECRETS',
      dedupeId: { header: 'webhook-id' },
      eventType: { pointer: '/type' },
    };
    const acmeSecret = `whsec_${Buffer.from('acme secret bytes').toString('base64')}`;

    it('serves a source from WEBHOOK_SOURCES_FILE with its secrets from <secretsEnv>_FILE', () => {
      const files: Record<string, string> = {
        '/etc/tributary/sources.json': JSON.stringify([source]),
        '/run/secrets/acme': `${acmeSecret}\n`,
      };
      const config = loadIngestionConfig(
        {
          ...valid,
          WEBHOOK_SOURCES_FILE: '/etc/tributary/sources.json',
          ACME_WEBHOOK_SECRETS_FILE: '/run/secrets/acme',
        },
        (path) => files[path] ?? '',
      );
      expect(config.webhookSecrets['acme']).toEqual([acmeSecret]);
      expect(config.webhookDefinitions['acme']?.scheme.name).toBe('standard-webhooks');
      expect(Object.keys(config.webhookDefinitions).sort()).toEqual([
        'acme',
        'easypost',
        'github',
        'hubspot',
        'stripe',
      ]);
    });

    it('reads WEBHOOK_SOURCES from the environment; a source without secrets is known but not served', () => {
      const config = loadIngestionConfig({ ...valid, WEBHOOK_SOURCES: JSON.stringify([source]) });
      expect(config.webhookSecrets['acme']).toEqual([]);
      expect(config.webhookDefinitions['acme']?.provider).toBe('acme');
    });

    it('stops the boot naming the source and field of each problem, with the others', () => {
      const load = (env: Record<string, string>) => () => loadIngestionConfig({ ...valid, ...env });
      expect(load({ WEBHOOK_SOURCES: JSON.stringify([{ ...source, dedupeId: { pointer: 'id' } }]) })).toThrow(
        /WEBHOOK_SOURCES: source "acme" \(#1\) dedupeId\.pointer: expected a JSON pointer/,
      );
      expect(load({ WEBHOOK_SOURCES: JSON.stringify([source]), ACME_WEBHOOK_SECRETS: 'not-whsec' })).toThrow(
        /ACME_WEBHOOK_SECRETS: secret #1 is not a standard-webhooks secret/,
      );
      expect(load({ WEBHOOK_SOURCES: JSON.stringify([{ ...source, name: 'github' }]) })).toThrow(
        /WEBHOOK_SOURCES: source "github" name: github is already a webhook provider/,
      );
      // A source retried for longer than the event log keeps entries could be published twice.
      expect(
        load({
          WEBHOOK_SOURCES: JSON.stringify([{ ...source, retryHorizonSeconds: 10 * 24 * 3600 }]),
          EVENT_LOG_RETENTION_DAYS: '7',
        }),
      ).toThrow(/EVENT_LOG_RETENTION_DAYS: shorter than a provider's retries/);
      expect(load({ WEBHOOK_SOURCES: '{' })).toThrow(/WEBHOOK_SOURCES: not JSON/);
      expect(() =>
        loadIngestionConfig(
          { KAFKA_BROKERS: 'x:1', WEBHOOK_SOURCES: '[]', WEBHOOK_SOURCES_FILE: '/x' },
          () => '[]',
        ),
      ).toThrow(/WEBHOOK_SOURCES: set either WEBHOOK_SOURCES or WEBHOOK_SOURCES_FILE, not both/);
      expect(() =>
        loadIngestionConfig({ ...valid, WEBHOOK_SOURCES_FILE: '/missing.json' }, () => {
          throw Object.assign(new Error('nope'), { code: 'ENOENT' });
        }),
      ).toThrow(/WEBHOOK_SOURCES_FILE: cannot read \/missing\.json \(ENOENT\)/);
    });

    it("refuses a secretsEnv naming one of ingestion's own variables or a reserved prefix", () => {
      const load = (secretsEnv: string) => () =>
        loadIngestionConfig({ ...valid, WEBHOOK_SOURCES: JSON.stringify([{ ...source, secretsEnv }]) });
      for (const name of [
        'DATABASE_URL',
        'API_KEYS',
        'KAFKA_BROKERS',
        'REPLAY_MAX_ENTRIES',
        'WEBHOOK_SOURCES',
      ]) {
        expect(load(name)).toThrow(
          new RegExp(`WEBHOOK_SOURCES: source "acme" secretsEnv: ${name} is one of ingestion's own settings`),
        );
      }
      expect(load('OTEL_PROPAGATORS')).toThrow(
        /WEBHOOK_SOURCES: source "acme" secretsEnv: OTEL_PROPAGATORS is reserved \(OTEL_\*/,
      );
      expect(load('NODE_OPTIONS')).toThrow(/secretsEnv: NODE_OPTIONS is reserved/);
      // A coded provider's variable keeps its own message, not "ingestion's own".
      expect(load('STRIPE_WEBHOOK_SECRETS')).toThrow(
        /secretsEnv: STRIPE_WEBHOOK_SECRETS already holds stripe's secrets/,
      );
      expect(load('ACME_WEBHOOK_SECRETS')).not.toThrow();
    });
  });
});
