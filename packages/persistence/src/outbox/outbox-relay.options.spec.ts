import type { RecordSink } from '@tributary/kafka';
import type { DataSource } from 'typeorm';
import { backoffMs, resolveRelayOptions } from './outbox-relay.options.js';

const base = { dataSource: {} as DataSource, sink: {} as RecordSink };

describe('resolveRelayOptions', () => {
  it('fills in defaults', () => {
    const options = resolveRelayOptions(base);
    expect(options).toMatchObject({ batchSize: 500, pollIntervalMs: 1000, retentionMs: 86_400_000 });
  });

  it('keeps given values and ignores undefined ones', () => {
    const options = resolveRelayOptions({ ...base, batchSize: 50, pollIntervalMs: undefined });
    expect(options.batchSize).toBe(50);
    expect(options.pollIntervalMs).toBe(1000);
  });

  it('lets one process hold every shard unless capped', () => {
    expect(resolveRelayOptions(base)).toMatchObject({ shards: 1, maxShards: 1 });
    expect(resolveRelayOptions({ ...base, shards: 4 })).toMatchObject({ shards: 4, maxShards: 4 });
    expect(resolveRelayOptions({ ...base, shards: 4, maxShards: 2 }).maxShards).toBe(2);
  });

  it.each([
    ['batchSize', 0],
    ['batchSize', 1.5],
    ['pollIntervalMs', -1],
    ['retentionMs', Number.NaN],
    ['shards', 0],
    ['shards', 2.5],
    ['shards', 2000],
    ['maxShards', 0],
  ])('rejects %s = %p', (name, value) => {
    expect(() => resolveRelayOptions({ ...base, [name]: value })).toThrow(RangeError);
  });
});

describe('backoffMs', () => {
  it('grows exponentially up to the maximum', () => {
    const top = () => 1;
    expect([0, 1, 2, 3, 10].map((attempt) => backoffMs(attempt, 100, 1000, top))).toEqual([
      100, 200, 400, 800, 1000,
    ]);
  });

  it('jitters below the ceiling', () => {
    expect(backoffMs(3, 100, 1000, () => 0.5)).toBe(400);
    expect(backoffMs(3, 100, 1000, () => 0)).toBe(0);
  });

  it('does not overflow for large attempt counts', () => {
    expect(backoffMs(10_000, 100, 5000, () => 1)).toBe(5000);
  });
});
