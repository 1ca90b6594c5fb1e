import { createConsumerLagMetrics } from '@tributary/observability';
import { Registry } from 'prom-client';
import { ConsumerLagCollector } from './consumer-lag.collector.js';
import type { ConsumerLagCollectorOptions } from './consumer-lag.collector.js';
import type { Leadership } from './exporter-lock.js';
import type { CommittedOffset, ConsumerLagSource, GroupDescription, PartitionOffsets } from './lag-source.js';
import type { OffsetHistory, OffsetRun } from './offset-history.js';

/** A cluster in memory: the test moves log ends and commits, the collector reads them through the source. */
class FakeCluster implements ConsumerLagSource {
  latest = new Map<string, number>();
  earliest = new Map<string, number>();
  commits = new Map<string, CommittedOffset[]>();
  descriptions = new Map<string, Omit<GroupDescription, 'group'>>();
  failing = new Set<string>();
  calls = 0;

  async describeGroups(groups: string[]): Promise<GroupDescription[]> {
    if (this.failing.has('describe_groups')) throw new Error('coordinator loading');
    return groups.map((group) => ({
      group,
      ...(this.descriptions.get(group) ?? { state: 'Empty', members: 0 }),
    }));
  }

  async listGroups(): Promise<string[]> {
    this.calls++;
    if (this.failing.has('list_groups')) throw new Error('coordinator unavailable');
    return [...this.commits.keys()];
  }

  async fetchCommittedOffsets(group: string): Promise<CommittedOffset[]> {
    if (this.failing.has(`group:${group}`)) throw new Error('group coordinator moved');
    return this.commits.get(group) ?? [];
  }

  async fetchPartitionOffsets(topics: string[]): Promise<PartitionOffsets[]> {
    if (this.failing.has('latest_offsets')) throw new Error('leader not available');
    return [...this.latest.entries()]
      .map(([key, latest]) => {
        const [topic, partition] = key.split(':');
        return { topic: topic!, partition: Number(partition), latest, earliest: this.earliest.get(key) ?? 0 };
      })
      .filter((p) => topics.includes(p.topic));
  }
}

/** The Postgres table's behaviour in memory: one run per (topic, partition, offset), pruned by last seen. */
class MemoryHistory implements OffsetHistory {
  runs: OffsetRun[] = [];
  failing = false;

  async load(): Promise<OffsetRun[]> {
    if (this.failing) throw new Error('database unavailable');
    return this.runs.map((r) => ({ ...r }));
  }

  async record(latest: Array<{ topic: string; partition: number; offset: number }>, atMs: number) {
    if (this.failing) throw new Error('database unavailable');
    for (const p of latest) {
      const run = this.runs.find(
        (r) => r.topic === p.topic && r.partition === p.partition && r.offset === p.offset,
      );
      if (run) this.runs[this.runs.indexOf(run)] = { ...run, lastSeenMs: atMs };
      else this.runs.push({ ...p, firstSeenMs: atMs, lastSeenMs: atMs });
    }
  }

  async prune(beforeMs: number): Promise<number> {
    const before = this.runs.length;
    this.runs = this.runs.filter((r) => r.lastSeenMs >= beforeMs);
    return before - this.runs.length;
  }
}

/** A lock the test hands from one collector to another. */
class SharedLock {
  holder: string | undefined;
  for(name: string): Leadership {
    return {
      holds: async () => {
        this.holder ??= name;
        return this.holder === name;
      },
      release: async () => {
        if (this.holder === name) this.holder = undefined;
      },
    };
  }
}

function setup(extra: Partial<ConsumerLagCollectorOptions> = {}) {
  const cluster = new FakeCluster();
  const registry = new Registry();
  let nowMs = 1_000_000;
  const collector = new ConsumerLagCollector({
    source: cluster,
    metrics: createConsumerLagMetrics(registry),
    now: () => nowMs,
    ...extra,
  });
  const advance = (seconds: number) => (nowMs += seconds * 1000);
  const value = async (name: string, labels: Record<string, string> = {}) => {
    const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
    const matches = (metric?.values ?? []).filter((v) =>
      Object.entries(labels).every(([k, l]) => String(v.labels[k]) === l),
    );
    if (matches.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} is ambiguous`);
    return matches[0]?.value;
  };
  const clock = { now: () => nowMs };
  return { cluster, registry, collector, advance, value, clock };
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

  it('exports the earliest offset of each partition, and the members and state of each group', async () => {
    const { cluster, collector, value } = setup();
    cluster.latest.set('orders:0', 100);
    cluster.earliest.set('orders:0', 40);
    cluster.commits.set('billing', [{ topic: 'orders', partition: 0, offset: 90 }]);
    cluster.commits.set('stopped', [{ topic: 'orders', partition: 0, offset: 60 }]);
    cluster.descriptions.set('billing', { state: 'Stable', members: 3 });
    cluster.descriptions.set('stopped', { state: 'Empty', members: 0 });
    await collector.poll();

    expect(await value('kafka_partition_earliest_offset', { topic: 'orders', partition: '0' })).toBe(40);
    expect(await value('kafka_consumergroup_group_members', { group: 'billing' })).toBe(3);
    expect(await value('kafka_consumergroup_group_members', { group: 'stopped' })).toBe(0);
    expect(await value('kafka_consumergroup_group_state', { group: 'billing', state: 'Stable' })).toBe(1);
    expect(await value('kafka_consumergroup_group_state', { group: 'billing', state: 'Empty' })).toBe(0);
    expect(await value('kafka_consumergroup_group_state', { group: 'stopped', state: 'Empty' })).toBe(1);
    expect(await value('kafka_consumergroup_group_state', { group: 'stopped', state: 'Stable' })).toBe(0);
    expect(await value('tributary_lag_exporter_poll_duration_seconds')).toBeGreaterThanOrEqual(0);
    // No poll failed, and each stage's count is there, at 0.
    for (const stage of [
      'list_groups',
      'describe_groups',
      'committed_offsets',
      'latest_offsets',
      'history',
    ]) {
      expect(await value('tributary_lag_exporter_poll_errors_total', { stage })).toBe(0);
    }
  });

  it('keeps the last known members and state of a group when describing fails, and counts the failure', async () => {
    const { cluster, collector, value } = setup();
    cluster.latest.set('orders:0', 10);
    cluster.commits.set('billing', [{ topic: 'orders', partition: 0, offset: 10 }]);
    cluster.descriptions.set('billing', { state: 'Stable', members: 2 });
    await collector.poll();

    cluster.failing.add('describe_groups');
    await collector.poll();

    expect(await value('kafka_consumergroup_group_members', { group: 'billing' })).toBe(2);
    expect(await value('kafka_consumergroup_group_state', { group: 'billing', state: 'Stable' })).toBe(1);
    expect(await value('tributary_lag_exporter_poll_errors_total', { stage: 'describe_groups' })).toBe(1);
  });

  it('reports only the groups whose whole name matches the configured pattern', async () => {
    const { cluster, collector, value } = setup({ groups: /^(?:billing)$/ });
    cluster.latest.set('orders:0', 10);
    cluster.commits.set('billing', [{ topic: 'orders', partition: 0, offset: 5 }]);
    cluster.commits.set('billing-audit', [{ topic: 'orders', partition: 0, offset: 1 }]);
    await collector.poll();

    expect(await value('kafka_consumergroup_group_lag', { group: 'billing' })).toBe(5);
    expect(await value('kafka_consumergroup_group_lag', { group: 'billing-audit' })).toBeUndefined();
    expect(await value('kafka_consumergroup_group_members', { group: 'billing-audit' })).toBeUndefined();
  });

  it('exports from the lock holder only; the replica taking over goes on from the history it kept', async () => {
    const lock = new SharedLock();
    const history = new MemoryHistory();
    const a = setup({ leadership: lock.for('a'), history });
    const { cluster, advance, clock } = a;
    // A stopped group: 30 records behind on a partition nothing is produced to any more.
    cluster.latest.set('orders:0', 50);
    cluster.commits.set('stopped', [{ topic: 'orders', partition: 0, offset: 20 }]);
    const bRegistry = new Registry();
    const b = new ConsumerLagCollector({
      source: cluster,
      metrics: createConsumerLagMetrics(bRegistry),
      leadership: lock.for('b'),
      history,
      now: clock.now,
    });
    const bValue = async (name: string) =>
      (await bRegistry.getMetricsAsJSON()).find((m) => m.name === name)?.values ?? [];
    const labels = { group: 'stopped', topic: 'orders', partition: '0' };

    await a.collector.poll();
    advance(60);
    await a.collector.poll();
    await b.poll();

    expect(await a.value('kafka_consumergroup_group_lag_seconds', labels)).toBe(60);
    expect(await a.value('tributary_lag_exporter_active')).toBe(1);
    // The standby exports no lag series at all, so Prometheus never holds two copies of one.
    expect(await bValue('kafka_consumergroup_group_lag_seconds')).toEqual([]);
    expect(await bValue('kafka_consumergroup_group_members')).toEqual([]);
    expect((await bValue('tributary_lag_exporter_active'))[0]?.value).toBe(0);

    await a.collector.stop();
    advance(30);
    await b.poll();

    // Without the history the new holder would start again at 0 s.
    const seconds = (await bValue('kafka_consumergroup_group_lag_seconds')).find(
      (v) => v.labels['group'] === 'stopped',
    )?.value;
    expect(seconds).toBe(90);
    expect((await bValue('tributary_lag_exporter_active'))[0]?.value).toBe(1);
  });

  it('drops every lag series when the lock is lost', async () => {
    const lock = new SharedLock();
    const { cluster, collector, value } = setup({ leadership: lock.for('a') });
    cluster.latest.set('orders:0', 10);
    cluster.commits.set('billing', [{ topic: 'orders', partition: 0, offset: 5 }]);
    await collector.poll();
    expect(await value('kafka_consumergroup_group_lag', { group: 'billing' })).toBe(5);

    lock.holder = 'another replica';
    await collector.poll();

    expect(await value('kafka_consumergroup_group_lag', { group: 'billing' })).toBeUndefined();
    expect(await value('kafka_partition_latest_offset', { topic: 'orders' })).toBeUndefined();
    expect(
      await value('kafka_consumergroup_group_state', { group: 'billing', state: 'Empty' }),
    ).toBeUndefined();
    expect(await value('tributary_lag_exporter_active')).toBe(0);
  });

  it('counts a history it cannot read or write and still publishes the poll', async () => {
    const history = new MemoryHistory();
    history.failing = true;
    const { cluster, collector, value } = setup({ history });
    cluster.latest.set('orders:0', 10);
    cluster.commits.set('billing', [{ topic: 'orders', partition: 0, offset: 4 }]);
    await collector.poll();

    expect(await value('kafka_consumergroup_group_lag', { group: 'billing' })).toBe(6);
    // One for the load at takeover, one for the write after the poll.
    expect(await value('tributary_lag_exporter_poll_errors_total', { stage: 'history' })).toBe(2);
  });

  it('keeps the stored history within the window, the run of an idle partition included', async () => {
    const history = new MemoryHistory();
    const { cluster, collector, advance } = setup({
      history,
      historyWindowMs: 60_000,
      pollIntervalMs: 5_000,
    });
    cluster.latest.set('idle:0', 7);
    cluster.commits.set('billing', [
      { topic: 'busy', partition: 0, offset: 0 },
      { topic: 'idle', partition: 0, offset: 7 },
    ]);
    for (let i = 0; i < 40; i++) {
      cluster.latest.set('busy:0', i * 10);
      await collector.poll();
      advance(5);
    }

    const busy = history.runs.filter((r) => r.topic === 'busy');
    // 40 distinct log ends seen, the ones last seen over a minute ago pruned: 13 left (the window and its edge).
    expect(busy.length).toBeLessThanOrEqual(13);
    expect(Math.min(...busy.map((r) => r.offset))).toBeGreaterThan(0);
    // Seen at 7 for 195 s: one run, first seen at the start, never pruned while it is still the log end.
    expect(history.runs.filter((r) => r.topic === 'idle')).toEqual([
      expect.objectContaining({ offset: 7, firstSeenMs: 1_000_000, lastSeenMs: 1_000_000 + 39 * 5_000 }),
    ]);
  });
});
