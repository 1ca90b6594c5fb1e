import { ConfigError } from '@tributary/service-kit';
import { loadReconciliationConfig } from './reconciliation.config.js';

const base = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/tributary',
  KAFKA_BROKERS: '127.0.0.1:9092',
  SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081',
};

describe('loadReconciliationConfig', () => {
  it('reports only until an entity is enabled, with the intervals and guardrails documented', () => {
    const config = loadReconciliationConfig(base);
    expect(config.entities).toEqual(['payment', 'contact', 'shipment']);
    expect(config.repairEntities).toEqual([]);
    expect(config.incrementalIntervalMs).toEqual({ payment: 300_000, shipment: 600_000, contact: 900_000 });
    expect(config.fullSweepIntervalMs).toBe(86_400_000);
    expect(config.guardrails).toEqual({ maxRepairs: 100, maxMismatchRatio: 0.1, minComparedForRatio: 20 });
    expect(config.database.schema).toBe('reconciliation');
    expect(config.consumer.group).toBe('reconciliation');
  });

  it('reads durations and per-entity intervals, keeping the defaults of the entities not named', () => {
    const config = loadReconciliationConfig({
      ...base,
      RECONCILE_INTERVALS: 'contact=90s',
      RECONCILE_SETTLE: '500ms',
      RECONCILE_REPAIR_ENTITIES: 'payment,contact',
    });
    expect(config.incrementalIntervalMs).toMatchObject({ contact: 90_000, payment: 300_000 });
    expect(config.settleMs).toBe(500);
    expect(config.repairEntities).toEqual(['payment', 'contact']);
  });

  it('names every bad variable: unknown entities, malformed durations, keys with unknown scopes', () => {
    let error: unknown;
    try {
      loadReconciliationConfig({
        ...base,
        RECONCILE_REPAIR_ENTITIES: 'payment,invoice',
        RECONCILE_INTERVALS: 'payment=soon',
        RECONCILE_OVERLAP: '2 minutes',
        API_KEYS: `ops:${'a'.repeat(64)}:reconciliation:nuke`,
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/RECONCILE_REPAIR_ENTITIES: unknown entities: invoice/);
    expect(problems).toMatch(/RECONCILE_INTERVALS: "payment=soon"/);
    expect(problems).toMatch(/RECONCILE_OVERLAP: /);
  });
});
