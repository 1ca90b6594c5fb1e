import { appOfInstance, instanceName, replicaCounts } from './replicas.js';

describe('replica names', () => {
  it("keeps the app's name for replica 1 and numbers the others from 2", () => {
    expect([1, 2, 3].map((n) => instanceName('connector-payments', n))).toEqual([
      'connector-payments',
      'connector-payments.2',
      'connector-payments.3',
    ]);
  });

  it('finds the app of an instance, the first one included', () => {
    expect(['ingestion', 'ingestion.2', 'dlq-handler.12'].map(appOfInstance)).toEqual([
      'ingestion',
      'ingestion',
      'dlq-handler',
    ]);
  });
});

describe('replicaCounts', () => {
  const scalable = ['ingestion', 'dlq-handler'];

  it('accepts whole counts of apps it may scale', () => {
    expect(replicaCounts({ ingestion: 2, 'dlq-handler': 1 }, scalable)).toEqual({
      ingestion: 2,
      'dlq-handler': 1,
    });
  });

  it('refuses an app it does not run or may not scale, naming the ones it may', () => {
    expect(() => replicaCounts({ ingestoin: 2 }, scalable)).toThrow(
      'replicas: no app ingestoin to scale (scalable: ingestion, dlq-handler)',
    );
    expect(() => replicaCounts({ 'provider-sim': 2 }, scalable)).toThrow(/no app provider-sim/);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses a count of %s', (count) => {
    expect(() => replicaCounts({ ingestion: count }, scalable)).toThrow(/not a whole number of at least 1/);
  });
});
