import { createKafkaClient, ensureTopics, silentLogger } from '@tributary/kafka';
import { stackFromEnv, uniqueName, waitFor } from '@tributary/testkit';
import { kafkaConsumerLagSource } from './kafka-lag-source.js';

describe('kafkaConsumerLagSource', () => {
  const kafka = createKafkaClient({
    clientId: uniqueName('lag-source'),
    brokers: stackFromEnv().kafka.brokers,
    logger: silentLogger,
  });
  const admin = kafka.admin();
  const producer = kafka.producer();
  const source = kafkaConsumerLagSource(admin);

  beforeAll(() => Promise.all([admin.connect(), producer.connect()]));
  afterAll(() => Promise.all([admin.disconnect(), producer.disconnect()]));

  it('reports a stopped group: its committed offsets, no members, state Empty, and both ends of each log', async () => {
    const topic = uniqueName('lag');
    const group = uniqueName('lag-group');
    await ensureTopics(kafka, [{ topic, numPartitions: 2 }]);
    await producer.send({
      topic,
      messages: Array.from({ length: 10 }, (_, i) => ({ value: `m${i}`, partition: 0 })),
    });
    await producer.send({ topic, messages: [{ value: 'other', partition: 1 }] });
    // Retention would move the earliest offset; deleting records moves it the same way, now. The admin
    // client needs the topic's metadata for that.
    await admin.fetchTopicMetadata({ topics: [topic] });
    await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '3' }] });
    // The group committed 4 of partition 0 and nothing of partition 1, then went away.
    await admin.setOffsets({ groupId: group, topic, partitions: [{ partition: 0, offset: '4' }] });

    expect(await source.listGroups()).toContain(group);
    expect(await source.fetchCommittedOffsets(group)).toEqual(
      expect.arrayContaining([
        { topic, partition: 0, offset: 4 },
        { topic, partition: 1, offset: null },
      ]),
    );
    expect(await source.describeGroups([group])).toEqual([{ group, state: 'Empty', members: 0 }]);
    expect(await source.fetchPartitionOffsets([topic])).toEqual(
      expect.arrayContaining([
        { topic, partition: 0, latest: 10, earliest: 3 },
        { topic, partition: 1, latest: 1, earliest: 0 },
      ]),
    );
  });

  it('reports a running group as Stable with its members', async () => {
    const topic = uniqueName('lag-live');
    const group = uniqueName('lag-live-group');
    await ensureTopics(kafka, [{ topic, numPartitions: 1 }]);
    const consumers = [kafka.consumer({ groupId: group }), kafka.consumer({ groupId: group })];
    try {
      for (const consumer of consumers) {
        await consumer.connect();
        await consumer.subscribe({ topic });
        await consumer.run({ eachMessage: async () => undefined });
      }
      const described = await waitFor(
        'both consumers in a stable group',
        async () => {
          const [d] = await source.describeGroups([group]);
          return d?.state === 'Stable' && d.members === 2 ? d : undefined;
        },
        60_000,
      );
      expect(described).toEqual({ group, state: 'Stable', members: 2 });
    } finally {
      for (const consumer of consumers) await consumer.disconnect();
    }
    expect(await source.describeGroups([group])).toEqual([{ group, state: 'Empty', members: 0 }]);
  });
});
