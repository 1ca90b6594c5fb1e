import { Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';

/**
 * Consumer lag metrics under kafka-lag-exporter's names, so its dashboards and alert rules apply unchanged
 * (labels are the bounded set docs/architecture.md#observability keeps: group, topic, partition). Created per
 * collector rather than in metrics.ts because only the process that runs the collector should expose them.
 */
export function createConsumerLagMetrics(registry: Registry) {
  const registers = [registry];
  return {
    groupOffset: new Gauge({
      name: 'kafka_consumergroup_group_offset',
      help: 'Last committed offset of the group on the partition; NaN when the group has committed nothing there.',
      labelNames: ['group', 'topic', 'partition'] as const,
      registers,
    }),
    groupLag: new Gauge({
      name: 'kafka_consumergroup_group_lag',
      help: 'Records between the latest offset and the committed offset of the group; NaN when nothing is committed.',
      labelNames: ['group', 'topic', 'partition'] as const,
      registers,
    }),
    groupLagSeconds: new Gauge({
      name: 'kafka_consumergroup_group_lag_seconds',
      help: 'Estimated age of the oldest record the group has not consumed, interpolated from sampled latest offsets; NaN when nothing is committed.',
      labelNames: ['group', 'topic', 'partition'] as const,
      registers,
    }),
    groupMaxLag: new Gauge({
      name: 'kafka_consumergroup_group_max_lag',
      help: 'Highest lag in records over the partitions of the group.',
      labelNames: ['group'] as const,
      registers,
    }),
    groupMaxLagSeconds: new Gauge({
      name: 'kafka_consumergroup_group_max_lag_seconds',
      help: 'Highest estimated lag in seconds over the partitions of the group.',
      labelNames: ['group'] as const,
      registers,
    }),
    groupSumLag: new Gauge({
      name: 'kafka_consumergroup_group_sum_lag',
      help: 'Sum of the lag in records over the partitions of the group where it has committed.',
      labelNames: ['group'] as const,
      registers,
    }),
    partitionLatestOffset: new Gauge({
      name: 'kafka_partition_latest_offset',
      help: 'Latest offset (log end) of the partition.',
      labelNames: ['topic', 'partition'] as const,
      registers,
    }),
    pollErrors: new Counter({
      name: 'tributary_lag_exporter_poll_errors_total',
      help: 'Failed lag polls, by stage (list_groups, committed_offsets, latest_offsets).',
      labelNames: ['stage'] as const,
      registers,
    }),
    lastPoll: new Gauge({
      name: 'tributary_lag_exporter_last_poll_timestamp_seconds',
      help: 'Time of the last complete lag poll; stale lag values show as an old timestamp here.',
      registers,
    }),
  };
}

export type ConsumerLagMetrics = ReturnType<typeof createConsumerLagMetrics>;
