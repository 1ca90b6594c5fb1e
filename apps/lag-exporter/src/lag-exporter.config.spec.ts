import { loadLagExporterConfig } from './lag-exporter.config.js';

const valid = {
  DATABASE_URL: 'postgres://tributary@127.0.0.1:5432/tributary',
  KAFKA_BROKERS: '127.0.0.1:9092',
  SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081',
};

describe('loadLagExporterConfig', () => {
  it('polls every 5 s over a 1 h window, every group, in its own schema by default', () => {
    const config = loadLagExporterConfig(valid);
    expect(config.port).toBe(3500);
    expect(config.database.schema).toBe('lag_exporter');
    expect(config.lag.pollIntervalMs).toBe(5_000);
    expect(config.lag.historyWindowMs).toBe(3_600_000);
    expect(config.lag.groups.test('connector-payments')).toBe(true);
  });

  it('reads durations with units and a group pattern the whole name must match', () => {
    const config = loadLagExporterConfig({
      ...valid,
      LAG_POLL_INTERVAL: '500ms',
      LAG_HISTORY_WINDOW: '2h',
      LAG_GROUPS: 'connector-.*|dlq-handler',
    });
    expect(config.lag.pollIntervalMs).toBe(500);
    expect(config.lag.historyWindowMs).toBe(7_200_000);
    expect(config.lag.groups.test('connector-crm')).toBe(true);
    expect(config.lag.groups.test('dlq-handler')).toBe(true);
    expect(config.lag.groups.test('my-dlq-handler-copy')).toBe(false);
    expect(loadLagExporterConfig({ ...valid, LAG_POLL_INTERVAL: '2000' }).lag.pollIntervalMs).toBe(2_000);
  });

  it('names every bad variable', () => {
    expect(() => loadLagExporterConfig({ KAFKA_BROKERS: 'x:1' })).toThrow(
      /DATABASE_URL[\s\S]*SCHEMA_REGISTRY_URL/,
    );
    expect(() => loadLagExporterConfig({ ...valid, LAG_POLL_INTERVAL: 'often' })).toThrow(
      /LAG_POLL_INTERVAL/,
    );
    expect(() => loadLagExporterConfig({ ...valid, LAG_POLL_INTERVAL: '10ms' })).toThrow(/LAG_POLL_INTERVAL/);
    expect(() => loadLagExporterConfig({ ...valid, LAG_HISTORY_WINDOW: '1s' })).toThrow(/LAG_HISTORY_WINDOW/);
    expect(() => loadLagExporterConfig({ ...valid, LAG_GROUPS: '(unclosed' })).toThrow(/LAG_GROUPS/);
  });
});
