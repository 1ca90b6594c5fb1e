import { topicCatalogue } from '@tributary/contracts';
import { createKafkaClient, ensureCatalogueTopics as ensureOnCluster } from '@tributary/kafka';

/**
 * Creates every catalogue topic with its partitions and retention (topics exist up front; the brokers refuse
 * auto-creation). Existing topics are left as they are. Resolves to every catalogue topic, with `prefix` (a
 * dev session beside another on one stack).
 */
export async function ensureCatalogueTopics(brokers: readonly string[], prefix = ''): Promise<string[]> {
  await ensureOnCluster(createKafkaClient({ clientId: 'tributary-cli', brokers: [...brokers] }), { prefix });
  return Object.keys(topicCatalogue).map((topic) => `${prefix}${topic}`);
}
