import { Kafka, logLevel } from 'kafkajs';
import type { ITopicConfig } from 'kafkajs';

export interface TopicSpec {
  topic: string;
  partitions: number;
  /** Topic-level settings, e.g. { 'cleanup.policy': 'compact' }. */
  config?: Record<string, string>;
}

/**
 * Creates topics and returns once every partition has a leader, so a producer that starts right after
 * does not race the controller. The stack disables automatic topic creation on purpose: code under test
 * must create what it uses, as it must in production.
 */
export async function createTopics(brokers: string[], topics: TopicSpec[]): Promise<void> {
  const admin = new Kafka({ clientId: 'tributary-testkit', brokers, logLevel: logLevel.WARN }).admin();
  await admin.connect();
  try {
    const specs: ITopicConfig[] = topics.map((t) => ({
      topic: t.topic,
      numPartitions: t.partitions,
      replicationFactor: 1,
      ...(t.config
        ? { configEntries: Object.entries(t.config).map(([name, value]) => ({ name, value })) }
        : {}),
    }));
    await admin.createTopics({ topics: specs, waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}
