import { loadExampleServiceConfig } from './example-service.config.js';

const valid = {
  DATABASE_URL: 'postgres://tributary@127.0.0.1:5432/tributary',
  KAFKA_BROKERS: '127.0.0.1:9092, 127.0.0.1:9093',
  SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081',
};

describe('loadExampleServiceConfig', () => {
  it('parses a complete environment into typed config with defaults', () => {
    const config = loadExampleServiceConfig(valid);
    expect(config.kafka.brokers).toEqual(['127.0.0.1:9092', '127.0.0.1:9093']);
    expect(config.consumer).toEqual({
      group: 'example-service',
      retryTiers: ['5s', '1m', '10m'],
      sessionTimeoutMs: 30_000,
      ordering: 'key',
      onDeadLetter: 'skip',
    });
    expect(config.port).toBe(3100);
    expect(config.database.schema).toBe('public');
  });

  it('names every missing or bad variable', () => {
    expect(() => loadExampleServiceConfig({ KAFKA_BROKERS: 'x:1', PORT: 'seventy' })).toThrow(
      /PORT[\s\S]*DATABASE_URL[\s\S]*SCHEMA_REGISTRY_URL/,
    );
    expect(() => loadExampleServiceConfig({ ...valid, DATABASE_URL: 'mysql://x/y' })).toThrow(/DATABASE_URL/);
    expect(() => loadExampleServiceConfig({ ...valid, DATABASE_SCHEMA: 'Robert"; drop' })).toThrow(
      /DATABASE_SCHEMA/,
    );
  });
});
