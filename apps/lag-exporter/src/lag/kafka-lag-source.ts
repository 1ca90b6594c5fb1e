import type { Admin } from 'kafkajs';
import { groupStateOf } from './group-state.js';
import type { ConsumerLagSource } from './lag-source.js';

/**
 * Reads what the exporter needs from the cluster through one kafkajs admin client. Groups without members
 * stay listed (the lag of a stopped group is what an SRE most needs to see); a partition without a committed
 * offset reports null, which the collector turns into NaN rather than a reassuring 0.
 */
export function kafkaConsumerLagSource(admin: Admin): ConsumerLagSource {
  return {
    async listGroups() {
      const { groups } = await admin.listGroups();
      return groups.filter((group) => group.protocolType === 'consumer').map((group) => group.groupId);
    },
    async describeGroups(groupIds) {
      if (groupIds.length === 0) return [];
      const { groups } = await admin.describeGroups(groupIds);
      return groups.map((g) => ({
        group: g.groupId,
        state: groupStateOf(g.state),
        members: g.members.length,
      }));
    },
    async fetchCommittedOffsets(groupId) {
      // Without topics Kafka answers only the partitions the group committed; asking again with the topics
      // returns every partition of them, the uncommitted ones as -1.
      const known = (await admin.fetchOffsets({ groupId })).map(({ topic }) => topic);
      if (known.length === 0) return [];
      const topics = await admin.fetchOffsets({ groupId, topics: known });
      return topics.flatMap(({ topic, partitions }) =>
        partitions.map(({ partition, offset }) => ({
          topic,
          partition,
          offset: Number(offset) >= 0 ? Number(offset) : null,
        })),
      );
    },
    async fetchPartitionOffsets(topics) {
      const perTopic = await Promise.all(
        topics.map(async (topic) =>
          (await admin.fetchTopicOffsets(topic)).map(({ partition, high, low }) => ({
            topic,
            partition,
            latest: Number(high),
            earliest: Number(low),
          })),
        ),
      );
      return perTopic.flat();
    },
  };
}
