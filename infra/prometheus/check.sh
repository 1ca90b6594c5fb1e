#!/bin/sh
# Validates the Prometheus config, the alert rules and their unit tests with promtool
# (Debian/Ubuntu: apt-get install prometheus; or the promtool binary of a Prometheus release).
set -eu
cd "$(dirname "$0")"
if ! command -v promtool >/dev/null 2>&1; then
  echo "promtool not found: install it (apt-get install -y prometheus) to check infra/prometheus" >&2
  exit 1
fi
# rules/ownership.rules.yml is generated from packages/contracts (ownership map, topic catalogue,
# reconciliation map): a map changed without `npm run generate:ownership-rules` would page the old team.
(cd ../.. && node_modules/.bin/tsx packages/contracts/scripts/ownership-rules.ts --check)
promtool check config prometheus.yml
promtool check rules rules/*.rules.yml
promtool test rules tests/*.test.yml
# The stale alert's intervals (recording rules entity:tributary_reconciliation_interval_seconds:default) are
# apps/reconciliation's defaults, which the app does not export: they must equal RECONCILE_INTERVALS in its
# .env.example (its defaults), or a changed schedule leaves the alert firing too early or too late.
node --input-type=module - <<'JS'
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
const units = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };
const line = readFileSync('../../apps/reconciliation/.env.example', 'utf8').match(/^RECONCILE_INTERVALS=(.*)$/m);
if (!line) throw new Error('apps/reconciliation/.env.example has no RECONCILE_INTERVALS');
const expected = Object.fromEntries(
  line[1].split(',').map((pair) => {
    const [, entity, amount, unit] = /^(\w+)=(\d+)(ms|s|m|h|d)$/.exec(pair.trim());
    return [entity, Number(amount) * units[unit]];
  }),
);
const recorded = Object.fromEntries(
  parse(readFileSync('rules/reconciliation.rules.yml', 'utf8'))
    .groups.flatMap((group) => group.rules)
    .filter((rule) => rule.record === 'entity:tributary_reconciliation_interval_seconds:default')
    .flatMap((rule) => [...rule.expr.matchAll(/vector\((\d+)\), "entity", "(\w+)"/g)])
    .map(([, seconds, entity]) => [entity, Number(seconds)]),
);
if (JSON.stringify(Object.entries(recorded).sort()) !== JSON.stringify(Object.entries(expected).sort())) {
  console.error('rules/reconciliation.rules.yml intervals', recorded, 'differ from RECONCILE_INTERVALS', expected);
  process.exit(1);
}
console.log('reconciliation intervals match RECONCILE_INTERVALS:', line[1]);
JS
