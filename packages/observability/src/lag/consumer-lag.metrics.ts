import { Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';

/** The states a consumer group reports in `kafka_consumergroup_group_state` (Kafka's ConsumerGroupState). */
export const CONSUMER_GROUP_STATES = [
  'Stable',
  'PreparingRebalance',
  'CompletingRebalance',
  'Empty',
  'Dead',
  'Unknown',
] as const;
export type ConsumerGroupState = (typeof CONSUMER_GROUP_STATES)[number];

/**
 * Consumer lag metrics under kafka-lag-exporter's names, so its dashboards and alert rules apply unchanged
 * (labels are the bounded set docs/architecture.md#observability keeps: group, topic, partition, and a
 * group's state). Created per exporter rather than in metrics.ts because only the lag exporter
 * (apps/lag-exporter) should expose them: any other process exporting them would double every series.
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
    groupMembers: new Gauge({
      name: 'kafka_consumergroup_group_members',
      help: 'Members connected to the group; 0 when every consumer of the group is gone (state Empty).',
      labelNames: ['group'] as const,
      registers,
    }),
    groupState: new Gauge({
      name: 'kafka_consumergroup_group_state',
      help: `1 for the state the group is in, 0 for the others (${CONSUMER_GROUP_STATES.join(', ')}).`,
      labelNames: ['group', 'state'] as const,
      registers,
    }),
    partitionLatestOffset: new Gauge({
      name: 'kafka_partition_latest_offset',
      help: 'Latest offset (log end) of the partition.',
      labelNames: ['topic', 'partition'] as const,
      registers,
    }),
    partitionEarliestOffset: new Gauge({
      name: 'kafka_partition_earliest_offset',
      help: 'Earliest offset still in the log of the partition (retention moves it forward).',
      labelNames: ['topic', 'partition'] as const,
      registers,
    }),
    // kafka-lag-exporter calls this kafka_consumergroup_poll_time_ms; promtool refuses abbreviated units
    // (every app's /metrics is held to it), so it is in seconds under our prefix instead.
    pollDuration: new Gauge({
      name: 'tributary_lag_exporter_poll_duration_seconds',
      help: 'How long the last complete lag poll of the cluster took.',
      registers,
    }),
    pollErrors: new Counter({
      name: 'tributary_lag_exporter_poll_errors_total',
      help: 'Failed lag polls, by stage (list_groups, describe_groups, committed_offsets, latest_offsets, history).',
      labelNames: ['stage'] as const,
      registers,
    }),
    active: new Gauge({
      name: 'tributary_lag_exporter_active',
      help: '1 on the lag exporter replica that holds the exporter lock and exports lag, 0 on a standby.',
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
