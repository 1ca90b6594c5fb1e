import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ownershipSeries, ownershipRulesPath, renderOwnershipRules } from './ownership-rules.js';
import type { OwnershipSources } from './ownership-rules.js';

const teamsOf = (
  series: readonly { labels: Readonly<Record<string, string>>; team: string }[],
  key: string,
) => Object.fromEntries(series.map((s) => [s.labels[key], s.team]));

describe('ownership rules', () => {
  it('names the team of every topic, entity, provider and connector group the maps know', () => {
    const series = ownershipSeries();
    expect(teamsOf(series.topics, 'topic')).toEqual({
      'commerce.order.v1': 'commerce',
      'payments.payment.v1': 'payments',
      'crm.contact.v1': 'crm',
      'logistics.shipment.v1': 'logistics',
      'reconciliation.read.v1': 'platform',
      'integrations.provider.v1': 'platform',
      'integrations.webhook.v1': 'platform',
    });
    expect(teamsOf(series.entities, 'entity')).toEqual({
      order: 'commerce',
      payment: 'payments',
      contact: 'crm',
      shipment: 'logistics',
    });
    // The provider is the source of truth of an entity (reconciliation.ts owner): that entity's team.
    expect(teamsOf(series.providers, 'provider')).toEqual({
      stripe: 'payments',
      hubspot: 'crm',
      easypost: 'logistics',
    });
    expect(teamsOf(series.consumerGroups, 'consumer_group')).toMatchObject({
      'connector-crm': 'crm',
      'connector-crm.reconciliation': 'crm',
      'connector-payments': 'payments',
    });
    // Lag series name the group `group`: the same value under both labels.
    for (const { labels } of series.consumerGroups) expect(labels.group).toBe(labels.consumer_group);
  });

  it('refuses a provider or a connector that would answer to two teams', () => {
    const from: OwnershipSources = {
      topics: [],
      entities: [
        { entity: 'payment', owningTeam: 'payments' },
        { entity: 'order', owningTeam: 'commerce' },
      ],
      reconciled: [
        { entity: 'payment', owner: 'acme', connector: 'acme-payments' },
        { entity: 'order', owner: 'acme', connector: 'acme-orders' },
      ],
    };
    expect(() => ownershipSeries(from)).toThrow(
      'provider acme would answer to two teams (payments, commerce)',
    );
    expect(() =>
      ownershipSeries({ ...from, reconciled: [{ entity: 'shipment', owner: 'x', connector: 'x' }] }),
    ).toThrow('entity shipment is reconciled but has no owning team');
  });

  it('renders one recording rule per kind, each series vector(1) with its labels', () => {
    const rendered = renderOwnershipRules({
      topics: [{ labels: { topic: 'a.b.v1' }, team: 'crm' }],
      entities: [
        { labels: { entity: 'contact' }, team: 'crm' },
        { labels: { entity: 'order' }, team: 'commerce' },
      ],
      providers: [{ labels: { provider: 'hubspot' }, team: 'crm' }],
      consumerGroups: [{ labels: { consumer_group: 'g', group: 'g' }, team: 'crm' }],
    });
    expect(rendered).toContain(
      [
        '      - record: tributary:entity_owner:info',
        '        expr: >-',
        '          label_replace(label_replace(vector(1), "entity", "contact", "", ""), "team", "crm", "", "")',
        '          or label_replace(label_replace(vector(1), "entity", "order", "", ""), "team", "commerce", "", "")',
      ].join('\n'),
    );
    expect(rendered).toContain(
      'label_replace(label_replace(label_replace(vector(1), "consumer_group", "g", "", ""), "group", "g", "", ""), "team", "crm", "", "")',
    );
    expect(rendered.match(/- record: /g)).toHaveLength(4);
  });

  it('is what infra/prometheus/rules holds (npm run generate:ownership-rules)', () => {
    const committed = readFileSync(
      fileURLToPath(new URL(`../../../../${ownershipRulesPath}`, import.meta.url)),
      'utf8',
    );
    expect(committed).toBe(renderOwnershipRules());
  });
});
