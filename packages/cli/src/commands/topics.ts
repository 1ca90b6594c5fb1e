import { topicCatalogue } from '@tributary/contracts';
import { createKafkaClient, ensureCatalogueTopics as ensureOnCluster } from '@tributary/kafka';

/**
 * Creates every catalogue topic with its partitions and retention (DESIGN §6: topics exist up front; the
 * brokers refuse auto-creation). Existing topics are left as they are. Resolves to every catalogue topic.
 */
export async function ensureCatalogueTopics(brokers: readonly string[]): Promise<string[]> {
  await ensureOnCluster(createKafkaClient({ clientId: 'tributary-cli', brokers: [...brokers] }));
  return Object.keys(topicCatalogue);
}
