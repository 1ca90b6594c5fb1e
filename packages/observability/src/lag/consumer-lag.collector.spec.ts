import { Registry } from 'prom-client';
import { ConsumerLagCollector } from './consumer-lag.collector.js';
import type { CommittedOffset, ConsumerLagSource, PartitionOffset } from './consumer-lag.collector.js';

/** A cluster in memory: the test moves log ends and commits, the collector reads them through the source. */
class FakeCluster implements ConsumerLagSource {
  latest = new Map<string, number>();
  commits = new Map<string, CommittedOffset[]>();
  failing = new Set<string>();
  calls = 0;

  async listGroups(): Promise<string[]> {
    this.calls++;
    if (this.failing.has('list_groups')) throw new Error('coordinator unavailable');
    return [...this.commits.keys()];
  }

  async fetchCommittedOffsets(group: string): Promise<CommittedOffset[]> {
    if (this.failing.has(`group:${group}`)) throw new Error('group coordinator moved');
    return this.commits.get(group) ?? [];
  }

  async fetchLatestOffsets(topics: string[]): Promise<PartitionOffset[]> {
    if (this.failing.has('latest_offsets')) throw new Error('leader not available');
    return [...this.latest.entries()]
      .map(([key, offset]) => {
        const [topic, partition] = key.split(':');
        return { topic: topic!, partition: Number(partition), offset };
      })
      .filter((p) => topics.includes(p.topic));
  }
}

function setup() {
  const cluster = new FakeCluster();
  const registry = new Registry();
  let nowMs = 1_000_000;
  const collector = new ConsumerLagCollector({ source: cluster, registry, now: () => nowMs });
  const advance = (seconds: number) => (nowMs += seconds * 1000);
  const value = async (name: string, labels: Record<string, string> = {}) => {
    const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
    const matches = (metric?.values ?? []).filter((v) =>
      Object.entries(labels).every(([k, l]) => String(v.labels[k]) === l),
    );
    if (matches.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} is ambiguous`);
    return matches[0]?.value;
  };
  return { cluster, registry, collector, advance, value };
}

describe('ConsumerLagCollector', () => {
  it('exports lag in records and interpolated seconds under kafka-lag-exporter names', async () => {
    const { cluster, collector, advance, value } = setup();
    cluster.latest.set('orders:0', 100);
    cluster.commits.set('billing', [{ topic: 'orders', partition: 0, offset: 100 }]);
    await collector.poll();

    advance(10);
    cluster.latest.set('orders:0', 300);
    await collector.poll();

    expect(await value('kafka_partition_latest_offset', { topic: 'orders', partition: '0' })).toBe(300);
    const p0 = { group: 'billing', topic: 'orders', partition: '0' };
    expect(await value('kafka_consumergroup_group_offset', p0)).toBe(100);
    expect(await value('kafka_consumergroup_group_lag', p0)).toBe(200);
    // The log end was at 100 ten seconds ago.
    expect(await value('kafka_consumergroup_group_lag_seconds', p0)).toBe(10);
    expect(await value('kafka_consumergroup_group_max_lag', { group: 'billing' })).toBe(200);
    expect(await value('kafka_consumergroup_group_max_lag_seconds', { group: 'billing' })).toBe(10);
    expect(await value('kafka_consumergroup_group_sum_lag', { group: 'billing' })).toBe(200);
  });

  it('reports NaN where nothing is committed, without hiding the lag of the other partitions', async () => {
    const { cluster, registry, collector, value } = setup();
    cluster.latest.set('orders:0', 50);
    cluster.latest.set('orders:1', 70);
    cluster.commits.set('billing', [
      { topic: 'orders', partition: 0, offset: 40 },
      { topic: 'orders', partition: 1, offset: null },
    ]);
    cluster.commits.set('fresh', [{ topic: 'orders', partition: 0, offset: -1 }]);
    await collector.poll();

    const p1 = { group: 'billing', topic: 'orders', partition: '1' };
    expect(await value('kafka_consumergroup_group_lag', p1)).toBeNaN();
    expect(await value('kafka_consumergroup_group_lag_seconds', p1)).toBeNaN();
    expect(await value('kafka_consumergroup_group_offset', p1)).toBeNaN();
    expect(await value('kafka_consumergroup_group_max_lag', { group: 'billing' })).toBe(10);
    expect(await value('kafka_consumergroup_group_max_lag', { group: 'fresh' })).toBeNaN();
    expect(await value('kafka_consumergroup_group_max_lag_seconds', { group: 'fresh' })).toBeNaN();

    // prom-client writes `Nan`; Prometheus parses float values case-insensitively.
    const text = await registry.metrics();
    expect(text).toMatch(
      /^kafka_consumergroup_group_lag_seconds\{group="fresh",topic="orders",partition="0"\} nan$/im,
    );
  });

  it('keeps an idle group (no members, no new commits) visible with its lag growing', async () => {
    const { cluster, collector, advance, value } = setup();
    cluster.latest.set('orders:0', 10);
    cluster.commits.set('stopped', [{ topic: 'orders', partition: 0, offset: 10 }]);
    await collector.poll();

    const labels = { group: 'stopped', topic: 'orders', partition: '0' };
    const seen: number[] = [];
    for (let i = 1; i <= 3; i++) {
      advance(15);
      cluster.latest.set('orders:0', 10 + i * 15);
      await collector.poll();
      seen.push((await value('kafka_consumergroup_group_lag_seconds', labels))!);
    }

    expect(seen).toEqual([15, 30, 45]);
    expect(await value('kafka_consumergroup_group_lag', labels)).toBe(45);
  });

  it('drops the series of a deleted group', async () => {
    const { cluster, collector, value } = setup();
    cluster.latest.set('orders:0', 10);
    cluster.commits.set('old', [{ topic: 'orders', partition: 0, offset: 5 }]);
    await collector.poll();
    expect(await value('kafka_consumergroup_group_lag', { group: 'old' })).toBe(5);

    cluster.commits.delete('old');
    await collector.poll();
    expect(await value('kafka_consumergroup_group_lag', { group: 'old' })).toBeUndefined();
  });

  it('keeps a group whose offsets could not be fetched on its last known commits, and counts the failure', async () => {
    const { cluster, collector, advance, value } = setup();
    cluster.latest.set('orders:0', 10);
    cluster.commits.set('billing', [{ topic: 'orders', partition: 0, offset: 10 }]);
    await collector.poll();

    advance(5);
    cluster.latest.set('orders:0', 20);
    cluster.failing.add('group:billing');
    await collector.poll();

    expect(await value('kafka_consumergroup_group_lag', { group: 'billing' })).toBe(10);
    expect(await value('tributary_lag_exporter_poll_errors_total', { stage: 'committed_offsets' })).toBe(1);
  });

  it('keeps the previous values and poll time when the cluster cannot be read', async () => {
    const { cluster, collector, advance, value } = setup();
    cluster.latest.set('orders:0', 10);
    cluster.commits.set('billing', [{ topic: 'orders', partition: 0, offset: 4 }]);
    await collector.poll();
    const lastPoll = await value('tributary_lag_exporter_last_poll_timestamp_seconds');

    advance(30);
    cluster.failing.add('latest_offsets');
    await collector.poll();
    cluster.failing.add('list_groups');
    await collector.poll();

    expect(await value('kafka_consumergroup_group_lag', { group: 'billing' })).toBe(6);
    expect(await value('tributary_lag_exporter_last_poll_timestamp_seconds')).toBe(lastPoll);
    expect(await value('tributary_lag_exporter_poll_errors_total', { stage: 'latest_offsets' })).toBe(1);
    expect(await value('tributary_lag_exporter_poll_errors_total', { stage: 'list_groups' })).toBe(1);
  });

  it('polls on start and stops cleanly', async () => {
    const { cluster, collector, value } = setup();
    cluster.latest.set('orders:0', 3);
    cluster.commits.set('billing', [{ topic: 'orders', partition: 0, offset: 1 }]);

    collector.start();
    const deadline = Date.now() + 5000;
    while ((await value('kafka_consumergroup_group_lag', { group: 'billing' })) === undefined) {
      if (Date.now() > deadline) throw new Error('the collector never polled');
      await new Promise((resolve) => setImmediate(resolve));
    }
    await collector.stop();

    expect(cluster.calls).toBe(1);
    expect(await value('kafka_consumergroup_group_lag', { group: 'billing' })).toBe(2);
  });
});
