import { createConsumerLagMetrics } from '@tributary/observability';
import { Registry } from 'prom-client';
import { ConsumerLagCollector } from './consumer-lag.collector.js';
import { catalogueDeprecatedTopics, createDeprecatedReaderMetrics } from './deprecated-readers.js';
import type { CommittedOffset, ConsumerLagSource } from './lag-source.js';

// No catalogue topic is deprecated yet: the collector is given a test list, the catalogue's is checked apart.
const deprecated = [{ topic: 'env.widgets.widget.v1', sunset: '2027-03-01' }];

function setup() {
  const latest = new Map<string, number>([
    ['env.widgets.widget.v1:0', 50],
    ['env.widgets.widget.v1:1', 70],
    ['env.widgets.widget.v2:0', 40],
  ]);
  const commits = new Map<string, CommittedOffset[]>();
  const source: ConsumerLagSource = {
    listGroups: async () => [...commits.keys()],
    describeGroups: async (groups) => groups.map((group) => ({ group, state: 'Stable', members: 1 })),
    fetchCommittedOffsets: async (group) => commits.get(group) ?? [],
    fetchPartitionOffsets: async (topics) =>
      [...latest]
        .map(([key, offset]) => ({
          topic: key.split(':')[0]!,
          partition: Number(key.split(':')[1]),
          latest: offset,
          earliest: 0,
        }))
        .filter((p) => topics.includes(p.topic)),
  };
  const registry = new Registry();
  const collector = new ConsumerLagCollector({
    source,
    metrics: createConsumerLagMetrics(registry),
    deprecatedTopics: deprecated,
    deprecatedReaders: createDeprecatedReaderMetrics(registry),
    now: () => 1_000_000,
  });
  const series = async (name: string) =>
    ((await registry.getMetricsAsJSON()).find((m) => m.name === name)?.values ?? []).map((v) => ({
      labels: v.labels,
      value: v.value,
    }));
  return { commits, collector, series };
}

describe('readers of deprecated topics', () => {
  it('are the groups with a committed offset on one, with their lag there and the sunset', async () => {
    const { commits, collector, series } = setup();
    commits.set('billing', [
      { topic: 'env.widgets.widget.v1', partition: 0, offset: 45 },
      { topic: 'env.widgets.widget.v1', partition: 1, offset: 70 },
    ]);
    commits.set('moved', [
      { topic: 'env.widgets.widget.v1', partition: 0, offset: 10 },
      { topic: 'env.widgets.widget.v2', partition: 0, offset: 40 },
    ]);
    commits.set('new-only', [{ topic: 'env.widgets.widget.v2', partition: 0, offset: 40 }]);
    // A group whose offsets on the topic are all uncommitted (-1) does not read it.
    commits.set('never-committed', [{ topic: 'env.widgets.widget.v1', partition: 0, offset: -1 }]);
    await collector.poll();

    expect(await series('tributary_deprecated_topic_readers')).toEqual([
      { labels: { topic: 'env.widgets.widget.v1', group: 'billing', sunset: '2027-03-01' }, value: 1 },
      { labels: { topic: 'env.widgets.widget.v1', group: 'moved', sunset: '2027-03-01' }, value: 1 },
    ]);
    expect(await series('tributary_deprecated_topic_reader_lag')).toEqual([
      { labels: { topic: 'env.widgets.widget.v1', group: 'billing' }, value: 5 },
      { labels: { topic: 'env.widgets.widget.v1', group: 'moved' }, value: 40 },
    ]);
    expect(await series('tributary_deprecated_topic_sunset_timestamp_seconds')).toEqual([
      { labels: { topic: 'env.widgets.widget.v1' }, value: Date.UTC(2027, 2, 1) / 1000 },
    ]);
  });

  it('disappear once the group no longer holds offsets there', async () => {
    const { commits, collector, series } = setup();
    commits.set('billing', [{ topic: 'env.widgets.widget.v1', partition: 0, offset: 45 }]);
    await collector.poll();
    expect(await series('tributary_deprecated_topic_readers')).toHaveLength(1);
    commits.set('billing', [{ topic: 'env.widgets.widget.v2', partition: 0, offset: 40 }]);
    await collector.poll();
    expect(await series('tributary_deprecated_topic_readers')).toEqual([]);
    expect(await series('tributary_deprecated_topic_reader_lag')).toEqual([]);
  });

  it('come from the catalogue under the deployment prefix (none is deprecated today)', () => {
    expect(catalogueDeprecatedTopics('env.')).toEqual([]);
  });
});
