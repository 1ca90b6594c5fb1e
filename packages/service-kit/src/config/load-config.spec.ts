import { z } from 'zod';
import { ConfigError } from './config-error.js';
import { backboneEnv, consumerEnv, serviceEnv } from './env.js';
import { loadConfig } from './load-config.js';
import { consumerConfig, serviceConfig } from './service-config.js';

const schema = z.object({ ...serviceEnv({ port: 3300 }), ...backboneEnv, ...consumerEnv() });
const minimal = {
  DATABASE_URL: 'postgres://u@localhost:5432/db',
  KAFKA_BROKERS: 'a:9092, b:9092',
  SCHEMA_REGISTRY_URL: 'http://registry:8081',
};
const load = (env: Record<string, string | undefined>, files: Record<string, string> = {}) =>
  loadConfig(
    schema,
    (values) => ({ ...serviceConfig('svc', values, 'svc_schema'), consumer: consumerConfig(values, 'svc') }),
    {
      service: 'svc',
      env,
      readFile: (path) => {
        if (!(path in files)) throw Object.assign(new Error('missing'), { code: 'ENOENT' });
        return files[path]!;
      },
    },
  );

describe('loadConfig', () => {
  it('applies the shared defaults and shapes the service config', () => {
    const config = load(minimal);
    expect(config).toMatchObject({
      service: 'svc',
      port: 3300,
      logLevel: 'info',
      database: { url: minimal.DATABASE_URL, schema: 'svc_schema', poolSize: 10 },
      kafka: { brokers: ['a:9092', 'b:9092'], topicPrefix: '', ensureTopics: true },
      consumer: {
        group: 'svc',
        retryTiers: ['5s', '1m', '10m'],
        sessionTimeoutMs: 30_000,
        ordering: 'key',
        onDeadLetter: 'skip',
      },
    });
  });

  it.each([
    [{}, true],
    [{ TRIBUTARY_ENV: 'staging' }, true],
    [{ TRIBUTARY_ENV: 'production' }, false],
    [{ TRIBUTARY_ENV: 'production', SCHEMA_AUTO_REGISTER: 'true' }, true],
    [{ TRIBUTARY_ENV: 'test', SCHEMA_AUTO_REGISTER: 'false' }, false],
    [{ SCHEMA_AUTO_REGISTER: '0' }, false],
    // NODE_ENV says nothing about the deployment (service kit README).
    [{ NODE_ENV: 'production' }, true],
  ])('SCHEMA_AUTO_REGISTER with %j → %s', (env, expected) => {
    expect(load({ ...minimal, ...env }).schemaAutoRegister).toBe(expected);
  });

  it('shapes the retention of the platform tables, and reports a bad horizon with the other problems', () => {
    expect(load({ ...minimal, AUDIT_LOG_RETENTION_DAYS: '730' }).retention).toMatchObject({
      inboxRetentionMs: 40 * 24 * 3_600_000,
      auditLogRetentionMs: 730 * 24 * 3_600_000,
    });
    let error: unknown;
    try {
      load({ ...minimal, INBOX_RETENTION_DAYS: '3', SCHEMA_AUTO_REGISTER: 'prod', PORT: 'x' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(/INBOX_RETENTION_DAYS: at least \d+/);
    expect(message).toMatch(/SCHEMA_AUTO_REGISTER/);
    expect(message).toMatch(/PORT/);
  });

  it('keeps the inbox past the retry tiers the group is configured with, and names a malformed tier', () => {
    // A 2d tier keeps its records 20 days: 30 (payments) + 20 = 50 days at least.
    expect(() => load({ ...minimal, RETRY_TIERS: '5s,2d' })).toThrow(
      /INBOX_RETENTION_DAYS: at least 50 with RETRY_TIERS 5s,2d/,
    );
    expect(
      load({ ...minimal, RETRY_TIERS: '5s,2d', INBOX_RETENTION_DAYS: '50' }).consumer.retryTiers,
    ).toEqual(['5s', '2d']);
    expect(() => load({ ...minimal, RETRY_TIERS: '5s,soon' })).toThrow(/RETRY_TIERS: retry delay "soon"/);
  });

  it('reads any variable from <NAME>_FILE, without the trailing newline', () => {
    const { DATABASE_URL: _omitted, ...rest } = minimal;
    const config = load(
      { ...rest, DATABASE_URL_FILE: '/run/secrets/db' },
      { '/run/secrets/db': 'postgres://secret@db:5432/x\n' },
    );
    expect(config.database.url).toBe('postgres://secret@db:5432/x');
  });

  it('lists every problem by variable in one error: bad values, both forms set, an unreadable file', () => {
    let error: unknown;
    try {
      load({
        ...minimal,
        SCHEMA_REGISTRY_URL: undefined,
        PORT: 'eighty',
        KAFKA_BROKERS: '',
        SCHEMA_REGISTRY_URL_FILE: '/nope',
        DATABASE_URL_FILE: '/also-set',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect((error as ConfigError).code).toBe('CONFIG_INVALID');
    expect(problems).toContain('DATABASE_URL: set either DATABASE_URL or DATABASE_URL_FILE, not both');
    expect(problems).toContain('SCHEMA_REGISTRY_URL_FILE: cannot read /nope (ENOENT)');
    expect(problems).toMatch(/^PORT: /m);
    expect(problems).toMatch(/^KAFKA_BROKERS: /m);
    expect((error as Error).message).toMatch(/^invalid configuration of svc:\n {2}/);
  });

  it('reports problems the derive step finds', () => {
    expect(() =>
      loadConfig(schema, (_values, problems) => problems.push('RETRY_TIERS: too many'), {
        service: 'svc',
        env: minimal,
      }),
    ).toThrow('RETRY_TIERS: too many');
  });
});
