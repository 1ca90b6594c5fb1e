import { loadConfig } from './example-service.config.js';

const valid = {
  DATABASE_URL: 'postgres://tributary@127.0.0.1:5432/tributary',
  KAFKA_BROKERS: '127.0.0.1:9092, 127.0.0.1:9093',
  SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081',
};

describe('loadConfig', () => {
  it('parses a complete environment into typed config with defaults', () => {
    const config = loadConfig(valid);
    expect(config.kafka.brokers).toEqual(['127.0.0.1:9092', '127.0.0.1:9093']);
    expect(config.kafka.retryTiers).toEqual(['5s', '1m', '10m']);
    expect(config.port).toBe(3100);
    expect(config.database.schema).toBe('public');
  });

  it('names every missing or bad variable', () => {
    expect(() => loadConfig({ KAFKA_BROKERS: 'x:1', PORT: 'seventy' })).toThrow(
      /DATABASE_URL[\s\S]*SCHEMA_REGISTRY_URL|PORT[\s\S]*DATABASE_URL/,
    );
    expect(() => loadConfig({ ...valid, DATABASE_URL: 'mysql://x/y' })).toThrow(/DATABASE_URL/);
    expect(() => loadConfig({ ...valid, DATABASE_SCHEMA: 'Robert"; drop' })).toThrow(/DATABASE_SCHEMA/);
  });
});
