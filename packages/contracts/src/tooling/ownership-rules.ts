/**
 * Renders `infra/prometheus/rules/ownership.rules.yml`: who answers for what, as constant info series that
 * alert rules join on for their `team` label (docs/architecture.md#observability), so a page goes to the
 * team the ownership map names instead of a team typed into each rule by hand. Pure and deterministic:
 * `npm run generate:ownership-rules -- --check` (run by infra/prometheus/check.sh) re-renders and compares.
 */
import { ownershipMap } from '../ownership.js';
import type { EntityName, TeamLabel } from '../ownership.js';
import { reconciledEntities } from '../reconciliation.js';
import { topicCatalogue } from '../topics.js';

export const ownershipRulesPath = 'infra/prometheus/rules/ownership.rules.yml';

/** One info series: its labels (besides `team`) and the team. */
export interface OwnerSeries {
  readonly labels: Readonly<Record<string, string>>;
  readonly team: TeamLabel;
}

/**
 * The consumer group a connector app runs under when CONSUMER_GROUP is not set: `connector-<id>`, the
 * service name connector-sdk's loadConnectorConfig gives it. Its reconciliation reads run under
 * `<group>.reconciliation` (connector-sdk reconciliationGroupOf). Spelled out here because contracts depends
 * on nothing of ours; a deployment that renames a group loses the mapping and pages platform.
 */
export function connectorGroupsOf(connector: string): readonly string[] {
  const group = `connector-${connector}`;
  return [group, `${group}.reconciliation`];
}

export interface OwnershipSeries {
  readonly topics: readonly OwnerSeries[];
  readonly entities: readonly OwnerSeries[];
  readonly providers: readonly OwnerSeries[];
  readonly consumerGroups: readonly OwnerSeries[];
}

/** The maps the series are read from; tests pass others. */
export interface OwnershipSources {
  readonly topics: readonly { readonly name: string; readonly owningTeam: TeamLabel }[];
  readonly entities: readonly { readonly entity: EntityName; readonly owningTeam: TeamLabel }[];
  readonly reconciled: readonly {
    readonly entity: EntityName;
    readonly owner: string;
    readonly connector: string;
  }[];
}

const sources: OwnershipSources = {
  topics: Object.values(topicCatalogue),
  entities: Object.values(ownershipMap),
  reconciled: Object.values(reconciledEntities),
};

/**
 * The series, from the maps. A provider is the owner of the entities it is the source of truth for
 * (reconciliation.ts `owner`), and answers to that entity's team; a connector's consumer groups too, since
 * its failures are failures of that entity's effects. A provider or connector serving entities of two teams
 * has no single team: that is refused rather than guessed.
 */
export function ownershipSeries(from: OwnershipSources = sources): OwnershipSeries {
  const teams = new Map(from.entities.map((o) => [o.entity, o.owningTeam]));
  const teamOf = (entity: EntityName) => {
    const team = teams.get(entity);
    if (team === undefined) throw new Error(`entity ${entity} is reconciled but has no owning team`);
    return team;
  };
  const single = (kind: string, key: string, pairs: readonly (readonly [string, TeamLabel])[]) => {
    const byValue = new Map<string, TeamLabel>();
    for (const [value, team] of pairs) {
      const known = byValue.get(value);
      if (known !== undefined && known !== team)
        throw new Error(`${kind} ${value} would answer to two teams (${known}, ${team})`);
      byValue.set(value, team);
    }
    return [...byValue].map(([value, team]) => ({ labels: { [key]: value }, team }));
  };
  return {
    topics: from.topics.map((t) => ({ labels: { topic: t.name }, team: t.owningTeam })),
    entities: from.entities.map((o) => ({ labels: { entity: o.entity }, team: o.owningTeam })),
    providers: single(
      'provider',
      'provider',
      from.reconciled.map((r) => [r.owner, teamOf(r.entity)] as const),
    ),
    // Lag series (kafka-lag-exporter's names) call the group `group`, tributary_* series `consumer_group`:
    // both labels carry it, so either joins without a label_replace.
    consumerGroups: single(
      'consumer group',
      'consumer_group',
      from.reconciled.flatMap((r) =>
        connectorGroupsOf(r.connector).map((g) => [g, teamOf(r.entity)] as const),
      ),
    ).map((s) => ({ labels: { ...s.labels, group: s.labels.consumer_group! }, team: s.team })),
  };
}

const rules: readonly { record: string; key: keyof OwnershipSeries; about: readonly string[] }[] = [
  {
    record: 'tributary:topic_owner:info',
    key: 'topics',
    about: ['Catalogue topics (topics.ts owningTeam).'],
  },
  {
    record: 'tributary:entity_owner:info',
    key: 'entities',
    about: ['Entities (ownership.ts owningTeam).'],
  },
  {
    record: 'tributary:provider_owner:info',
    key: 'providers',
    about: [
      "Providers, by the entity each is the source of truth for (reconciliation.ts owner), with that entity's",
      'team.',
    ],
  },
  {
    record: 'tributary:consumer_group_owner:info',
    key: 'consumerGroups',
    about: [
      "Connectors' consumer groups under their default names (connector-<id>, connector-<id>.reconciliation),",
      'with the team of the entity the connector reconciles; `group` repeats `consumer_group` for lag series.',
    ],
  },
];

/** A PromQL string literal (double quotes; the values here are plain names, but quote them safely anyway). */
const quoted = (value: string) => JSON.stringify(value);

/** `vector(1)` with its labels set, one label_replace each, `team` outermost. */
function seriesExpr(series: OwnerSeries): string {
  return Object.entries({ ...series.labels, team: series.team }).reduce(
    (expr, [name, value]) => `label_replace(${expr}, ${quoted(name)}, ${quoted(value)}, "", "")`,
    'vector(1)',
  );
}

export function renderOwnershipRules(series: OwnershipSeries = ownershipSeries()): string {
  const lines = [
    '# Generated by packages/contracts/scripts/ownership-rules.ts (`npm run generate:ownership-rules`) from',
    '# packages/contracts ownership.ts, topics.ts and reconciliation.ts: do not edit. infra/prometheus/check.sh',
    '# fails while it differs from what the maps say.',
    '#',
    '# Info series, each 1, naming the team that answers for a topic, an entity, a provider or a consumer group.',
    '# Alerts take their `team` label from them by a join, e.g.',
    '#   (<expr>) * on (provider) group_left (team) tributary:provider_owner:info or on (provider) <expr>',
    '# (the `or` keeps what the map does not name; the rule gives it team platform).',
    '',
    'groups:',
    '  - name: tributary-ownership',
    '    rules:',
  ];
  for (const [index, rule] of rules.entries()) {
    const entries = series[rule.key];
    if (entries.length === 0) throw new Error(`no ${rule.key} to render for ${rule.record}`);
    if (index > 0) lines.push('');
    for (const line of rule.about) lines.push(`      # ${line}`);
    lines.push(`      - record: ${rule.record}`);
    lines.push('        expr: >-');
    entries.forEach((entry, i) => lines.push(`          ${i === 0 ? '' : 'or '}${seriesExpr(entry)}`));
  }
  return `${lines.join('\n')}\n`;
}
