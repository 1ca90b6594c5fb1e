import { endpointsFromEnv, endpointsToEnv } from './endpoints.js';

const full = {
  KAFKA_BROKERS: '127.0.0.1:9092, 127.0.0.1:9093',
  SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081/',
  DATABASE_URL: 'postgres://u@127.0.0.1:5432/db',
};

describe('endpointsFromEnv', () => {
  it('returns nothing when no connection variable is set', () => {
    expect(endpointsFromEnv({})).toBeUndefined();
  });

  it('uses complete connection details as given', () => {
    expect(endpointsFromEnv(full)).toEqual({
      source: 'env',
      kafka: { brokers: ['127.0.0.1:9092', '127.0.0.1:9093'], version: 'unknown' },
      registry: { url: 'http://127.0.0.1:8081' },
      postgres: { url: 'postgres://u@127.0.0.1:5432/db' },
    });
  });

  it('refuses a partial set and names what is missing', () => {
    expect(() => endpointsFromEnv({ KAFKA_BROKERS: 'x:1' })).toThrow(
      /missing: SCHEMA_REGISTRY_URL, DATABASE_URL/,
    );
  });
});

describe('endpointsToEnv', () => {
  it('round-trips through the environment', () => {
    const endpoints = {
      source: 'local' as const,
      kafka: { brokers: ['127.0.0.1:1'], version: '4.1.1' },
      registry: { url: 'http://127.0.0.1:2/apis/ccompat/v7' },
      postgres: { url: 'postgres://postgres@127.0.0.1:3/tributary' },
    };
    expect(endpointsFromEnv(endpointsToEnv(endpoints))).toEqual(endpoints);
  });

  it('does not export an unknown Kafka version, which would select a version to start', () => {
    const env = endpointsToEnv(endpointsFromEnv(full)!);
    expect(env).not.toHaveProperty('TRIBUTARY_KAFKA_VERSION');
  });
});
