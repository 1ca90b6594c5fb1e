import { stackFromEnv } from './stack-from-env.js';

describe('stackFromEnv', () => {
  it('explains how to get a stack when none is configured', () => {
    expect(() => stackFromEnv({})).toThrow(
      /No stack: KAFKA_BROKERS, SCHEMA_REGISTRY_URL and DATABASE_URL are unset/,
    );
  });

  it('returns what the global setup exported', () => {
    const stack = stackFromEnv({
      KAFKA_BROKERS: '127.0.0.1:1',
      SCHEMA_REGISTRY_URL: 'http://127.0.0.1:2/apis/ccompat/v7',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:3/tributary',
      TRIBUTARY_STACK_SOURCE: 'local',
      TRIBUTARY_KAFKA_VERSION: '4.1.1',
    });
    expect(stack).toEqual({
      source: 'local',
      kafka: { brokers: ['127.0.0.1:1'], version: '4.1.1' },
      registry: { url: 'http://127.0.0.1:2/apis/ccompat/v7' },
      postgres: { url: 'postgres://postgres@127.0.0.1:3/tributary' },
    });
  });
});
