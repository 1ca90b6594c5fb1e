import { eventCatalogue, eventTypes } from './generated/events.js';
import { ownershipMap } from './ownership.js';
import { topicCatalogue, topics } from './topics.js';

describe('topic catalogue', () => {
  it('lists each event type on exactly the topic the generated catalogue sends it to', () => {
    const listed = topics.flatMap((t) => t.eventTypes.map((type) => [type, t.name]));
    expect(listed.sort()).toEqual(eventTypes.map((type) => [type, eventCatalogue[type].topic]).sort());
  });

  it('keys every event of a topic by a string field holding the aggregate id', () => {
    for (const topic of topics) {
      for (const type of topic.eventTypes) {
        const fields = eventCatalogue[type].schema.fields as { name: string; type: unknown }[];
        expect([type, fields.find((f) => f.name === topic.key.field)?.type]).toEqual([type, 'string']);
      }
    }
  });

  it('names each topic by its own key and gives it partitions, retention and the owning team of its entity', () => {
    for (const [key, topic] of Object.entries(topicCatalogue)) {
      expect(topic.name).toBe(key);
      expect(topic.partitions).toBeGreaterThan(0);
      expect(topic.retentionMs).toBeGreaterThanOrEqual(7 * 24 * 3600 * 1000);
      const owner = Object.values(ownershipMap).find((o) => o.topic === topic.name);
      // A topic of the platform itself (reconciliation's reads) belongs to no entity.
      expect([topic.name, topic.owningTeam]).toEqual([topic.name, owner?.owningTeam ?? 'platform']);
    }
  });
});
