import { topicCatalogue } from '@tributary/contracts';
import { createKafkaClient, ensureTopics } from '@tributary/kafka';

/**
 * Creates every catalogue topic with its partitions and retention (DESIGN §6: topics exist up front; the
 * brokers refuse auto-creation). Existing topics are left as they are.
 */
export async function ensureCatalogueTopics(brokers: readonly string[]): Promise<string[]> {
  const kafka = createKafkaClient({ clientId: 'tributary-cli', brokers: [...brokers] });
  const specs = Object.values(topicCatalogue).map((topic) => ({
    topic: topic.name,
    numPartitions: topic.partitions,
    configs: { 'retention.ms': String(topic.retentionMs) },
  }));
  await ensureTopics(kafka, specs);
  return specs.map((spec) => spec.topic);
}
