import { eventCatalogue } from './generated/events.js';
import { ownershipMap, ownershipOfTopic } from './ownership.js';
import { topicCatalogue } from './topics.js';

/** Resolves `a.b` through records and null unions of a schema's fields. */
function hasFieldPath(fields: readonly unknown[], path: string[]): boolean {
  const [head, ...rest] = path;
  const field = (fields as { name: string; type: unknown }[]).find((f) => f.name === head);
  if (!field) return false;
  if (rest.length === 0) return true;
  const branches = Array.isArray(field.type) ? field.type : [field.type];
  return branches.some(
    (b) =>
      typeof b === 'object' &&
      b !== null &&
      'fields' in b &&
      hasFieldPath((b as { fields: unknown[] }).fields, rest),
  );
}

describe('ownership map', () => {
  it('covers every entity topic of the catalogue, one entity each', () => {
    const entityTopics = Object.values(topicCatalogue).filter((t) => t.owningTeam !== 'platform');
    expect(
      Object.values(ownershipMap)
        .map((o) => o.topic)
        .sort(),
    ).toEqual(entityTopics.map((t) => t.name).sort());
    expect(ownershipOfTopic('payments.payment.v1')?.entity).toBe('payment');
    expect(ownershipOfTopic('unknown.thing.v1')).toBeUndefined();
  });

  it('names personal data fields that exist in the entity events and are never the key', () => {
    for (const owner of Object.values(ownershipMap)) {
      const topic = topicCatalogue[owner.topic];
      for (const field of owner.personalDataFields) {
        const schemas = topic.eventTypes.map((t) => eventCatalogue[t].schema);
        expect([owner.entity, field, schemas.some((s) => hasFieldPath(s.fields, field.split('.')))]).toEqual([
          owner.entity,
          field,
          true,
        ]);
        expect(field).not.toBe(topic.key.field);
      }
    }
  });

  it('keeps the CRM change notice free of personal data, so it can be logged and kept in the event log', () => {
    const fields = (eventCatalogue['crm.contact.changed'].schema.fields as { name: string }[]).map(
      (f) => f.name,
    );
    for (const field of ownershipMap.contact.personalDataFields) expect(fields).not.toContain(field);
    expect(topicCatalogue['crm.contact.v1'].eventTypes).toContain('crm.contact.changed');
  });

  it('states a source of truth, a cache age and audited actions for every entity', () => {
    for (const owner of Object.values(ownershipMap)) {
      expect(owner.sourceOfTruth.system).not.toBe('');
      expect(owner.auditedActions).toContain('reconciliation.repair');
      for (const policy of owner.cache) expect(policy.maxAgeMs).toBeGreaterThanOrEqual(0);
    }
  });
});
