import { createHash } from 'node:crypto';
import { loadConfig } from './dlq-handler.config.js';

const hash = (token: string) => createHash('sha256').update(token).digest('hex');
const valid = {
  DATABASE_URL: 'postgres://tributary@127.0.0.1:5432/tributary',
  KAFKA_BROKERS: '127.0.0.1:9092',
  SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081',
};

describe('loadConfig', () => {
  it('parses a complete environment with defaults and API keys', () => {
    const config = loadConfig({
      ...valid,
      API_KEYS: `ops:${hash('a')}:dlq:read+dlq:replay+dlq:discard,\nviewer:${hash('b')}:dlq:read`,
    });
    expect(config.kafka.consumerGroup).toBe('dlq-handler');
    expect(config.replay).toEqual({ ratePerSecond: 50, burst: 10, stallAfterMs: 1_800_000, leaseMs: 30_000 });
    expect(loadConfig({ ...valid, REPLAY_LEASE_MS: '5000' }).replay.leaseMs).toBe(5_000);
    expect(loadConfig({ ...valid, REPLAY_STALL_AFTER_MS: '2000' }).replay.stallAfterMs).toBe(2_000);
    expect(config.apiKeys).toEqual([
      { id: 'ops', sha256: hash('a'), scopes: ['dlq:read', 'dlq:replay', 'dlq:discard'] },
      { id: 'viewer', sha256: hash('b'), scopes: ['dlq:read'] },
    ]);
  });

  it('names every missing or bad variable', () => {
    expect(() => loadConfig({ KAFKA_BROKERS: 'x:1' })).toThrow(/DATABASE_URL[\s\S]*SCHEMA_REGISTRY_URL/);
    expect(() => loadConfig({ ...valid, REPLAY_RATE_PER_SECOND: '0' })).toThrow(/REPLAY_RATE_PER_SECOND/);
    expect(() => loadConfig({ ...valid, REPLAY_STALL_AFTER_MS: '10' })).toThrow(/REPLAY_STALL_AFTER_MS/);
    expect(() => loadConfig({ ...valid, REPLAY_LEASE_MS: '500' })).toThrow(/REPLAY_LEASE_MS/);
    expect(() => loadConfig({ ...valid, API_KEYS: 'ops:plaintext:dlq:read' })).toThrow(/API_KEYS/);
    expect(() => loadConfig({ ...valid, API_KEYS: `ops:${hash('a')}:events:publish` })).toThrow(/API_KEYS/);
  });

  it('keeps closed dead letters 30 days whole and 90 days in all, and refuses a deletion before the scrub', () => {
    const day = 86_400_000;
    expect(loadConfig(valid).deadLetterRetention).toEqual({
      scrubAfterMs: 30 * day,
      deleteAfterMs: 90 * day,
      intervalMs: 3_600_000,
      batchSize: 1_000,
      batchPauseMs: 100,
    });
    expect(() => loadConfig({ ...valid, DLQ_SCRUB_AFTER_DAYS: '60', DLQ_DELETE_AFTER_DAYS: '30' })).toThrow(
      /DLQ_DELETE_AFTER_DAYS: must not be shorter than DLQ_SCRUB_AFTER_DAYS/,
    );
    expect(() => loadConfig({ ...valid, DLQ_SCRUB_AFTER_DAYS: '0' })).toThrow(/DLQ_SCRUB_AFTER_DAYS/);
  });
});
