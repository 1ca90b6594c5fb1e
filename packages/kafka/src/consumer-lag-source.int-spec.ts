import { ConsumerLagCollector } from '@tributary/observability';
import { Registry } from 'prom-client';
import { ensureTopics } from './kafka-client.js';
import { kafkaConsumerLagSource } from './consumer-lag-source.js';
import { testKafka, uniqueName, waitFor } from '../test/support.js';

describe('kafkaConsumerLagSource', () => {
  it('reports a stopped group with its committed offsets and the lag behind the log end', async () => {
    const kafka = testKafka();
    const topic = uniqueName('lag');
    const group = uniqueName('lag-group');
    await ensureTopics(kafka, [{ topic, numPartitions: 2 }]);
    const producer = kafka.producer();
    const admin = kafka.admin();
    await Promise.all([producer.connect(), admin.connect()]);
    try {
      await producer.send({
        topic,
        messages: Array.from({ length: 10 }, (_, i) => ({ value: `m${i}`, partition: 0 })),
      });
      await producer.send({ topic, messages: [{ value: 'other', partition: 1 }] });
      // The group committed 4 of partition 0 and nothing of partition 1, then went away.
      await admin.setOffsets({ groupId: group, topic, partitions: [{ partition: 0, offset: '4' }] });

      const source = kafkaConsumerLagSource(admin);
      expect(await source.listGroups()).toContain(group);
      const committed = await source.fetchCommittedOffsets(group);
      expect(committed).toEqual(
        expect.arrayContaining([
          { topic, partition: 0, offset: 4 },
          { topic, partition: 1, offset: null },
        ]),
      );
      expect(await source.fetchLatestOffsets([topic])).toEqual(
        expect.arrayContaining([
          { topic, partition: 0, offset: 10 },
          { topic, partition: 1, offset: 1 },
        ]),
      );

      const registry = new Registry();
      const collector = new ConsumerLagCollector({ source, registry });
      await collector.poll();
      const exposition = await waitFor('lag metrics for the group', async () => {
        const text = await registry.metrics();
        return text.includes(`group="${group}"`) ? text : undefined;
      });
      const lagLine = exposition
        .split('\n')
        .find(
          (line) =>
            line.startsWith('kafka_consumergroup_group_lag{') &&
            line.includes(`group="${group}"`) &&
            line.includes('partition="0"'),
        );
      expect(lagLine).toMatch(/ 6$/);
    } finally {
      await Promise.all([producer.disconnect(), admin.disconnect()]);
    }
  });
});
