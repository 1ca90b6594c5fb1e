import type { ConsumerGroupState } from '@tributary/observability';

/** Both ends of a partition's log: `latest` is the high watermark, `earliest` the first offset retained. */
export interface PartitionOffsets {
  readonly topic: string;
  readonly partition: number;
  readonly latest: number;
  readonly earliest: number;
}

export interface CommittedOffset {
  readonly topic: string;
  readonly partition: number;
  /** The committed offset (next record to read); null where the group has committed nothing. */
  readonly offset: number | null;
}

export interface GroupDescription {
  readonly group: string;
  readonly state: ConsumerGroupState;
  /** Members connected now; 0 for a group whose consumers are all gone. */
  readonly members: number;
}

/**
 * What the exporter reads from the cluster, as plain functions so the collector is tested without Kafka
 * (kafka-lag-source.ts implements it over a kafkajs admin client).
 */
export interface ConsumerLagSource {
  /** Every consumer group to report, including groups without members (idle or stopped). */
  listGroups(): Promise<string[]>;
  /** State and member count of these groups. */
  describeGroups(groups: string[]): Promise<GroupDescription[]>;
  /** Committed offsets of one group, for every partition of the topics it consumes. */
  fetchCommittedOffsets(group: string): Promise<CommittedOffset[]>;
  /** Earliest and latest offsets of every partition of these topics. */
  fetchPartitionOffsets(topics: string[]): Promise<PartitionOffsets[]>;
}
