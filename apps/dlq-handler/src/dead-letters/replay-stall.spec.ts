import { silentLogger } from '@tributary/kafka';
import { dlqMetrics } from '../metrics/dlq.metrics.js';
import { ReplayStallMonitor, stallCheckIntervalMs } from './replay-stall.js';

describe('ReplayStallMonitor', () => {
  it('looks a tenth of the bound apart, between 200 ms and 30 s', () => {
    expect(stallCheckIntervalMs(1_800_000)).toBe(30_000);
    expect(stallCheckIntervalMs(60_000)).toBe(6_000);
    expect(stallCheckIntervalMs(1_000)).toBe(200);
  });

  it('counts the rows it flagged per group and survives a failing sweep', async () => {
    const batches = [
      [
        { id: 'a', consumerGroup: 'billing' },
        { id: 'b', consumerGroup: 'billing' },
        { id: 'c', consumerGroup: 'crm' },
      ],
    ];
    const monitor = new ReplayStallMonitor(
      {
        flagStalledReplays: async (afterMs) => {
          expect(afterMs).toBe(5_000);
          const next = batches.shift();
          if (!next) throw new Error('database down');
          return next;
        },
      },
      5_000,
      silentLogger,
    );
    const stalled = async (group: string) =>
      (await dlqMetrics.replays.get()).values.find(
        (v) => v.labels.consumer_group === group && v.labels.outcome === 'stalled',
      )?.value ?? 0;
    const before = { billing: await stalled('billing'), crm: await stalled('crm') };
    expect(await monitor.sweep()).toBe(3);
    expect(await monitor.sweep()).toBe(0);
    expect(await stalled('billing')).toBe(before.billing + 2);
    expect(await stalled('crm')).toBe(before.crm + 1);
  });
});
