import { loadConfig } from './ingestion.config.js';

const valid = {
  DATABASE_URL: 'postgres://tributary@127.0.0.1:5432/tributary',
  KAFKA_BROKERS: '127.0.0.1:9092',
  SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081',
};
const stripeSecret = 'whsec_test_4eC39HqLyjWDarjtT1zdp7dc';

describe('loadConfig', () => {
  it('defaults to no provider served: webhooks fail closed until secrets are configured', () => {
    const config = loadConfig(valid);
    expect(config.webhookSecrets).toEqual({ easypost: [], github: [], hubspot: [], stripe: [] });
    expect(config.eventLog.retentionSeconds).toBe(7 * 24 * 3600);
    expect(config.kafka).toEqual({ brokers: ['127.0.0.1:9092'], topicPrefix: '', ensureTopics: true });
  });

  it('reads several secrets per provider (rotation), from the variable or its _FILE', () => {
    const config = loadConfig(
      {
        ...valid,
        STRIPE_WEBHOOK_SECRETS: `${stripeSecret}, whsec_test_9fK21LmQpZrTyUwXvBnM3c4d`,
        GITHUB_WEBHOOK_SECRETS_FILE: '/run/secrets/github',
      },
      (path) => (path === '/run/secrets/github' ? "It's a Secret to Everybody\n" : ''),
    );
    expect(config.webhookSecrets['stripe']).toHaveLength(2);
    expect(config.webhookSecrets['github']).toEqual(["It's a Secret to Everybody"]);
  });

  it("shares a provider's external refs with its connector's schema when configured", () => {
    expect(loadConfig(valid).externalRefsSchemas).toEqual({});
    expect(
      loadConfig({ ...valid, EXTERNAL_REFS_SCHEMAS: 'easypost=connector_logistics,hubspot=connector_crm' })
        .externalRefsSchemas,
    ).toEqual({ easypost: 'connector_logistics', hubspot: 'connector_crm' });
    expect(() => loadConfig({ ...valid, EXTERNAL_REFS_SCHEMAS: 'easypost=Bad-Schema' })).toThrow(
      /EXTERNAL_REFS_SCHEMAS: expected provider=schema pairs/,
    );
  });

  it('names the variable of a secret the scheme cannot use, and of every bad value', () => {
    expect(() => loadConfig({ ...valid, STRIPE_WEBHOOK_SECRETS: 'short' })).toThrow(
      /STRIPE_WEBHOOK_SECRETS: secret #1/,
    );
    expect(() => loadConfig({ ...valid, EVENT_LOG_RETENTION_DAYS: '3' })).toThrow(/EVENT_LOG_RETENTION_DAYS/);
    expect(() => loadConfig({ ...valid, KAFKA_TOPIC_PREFIX: 'a b' })).toThrow(/KAFKA_TOPIC_PREFIX/);
    expect(() => loadConfig({ KAFKA_BROKERS: 'x:1' })).toThrow(/DATABASE_URL[\s\S]*SCHEMA_REGISTRY_URL/);
  });
});
