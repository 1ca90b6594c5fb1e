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
# An alert that takes `team` from an ownership info series states its condition twice,
#   (<expr>) * on (<label>) group_left (team) tributary:<what>_owner:info or on (<label>) <expr>
# the second copy keeping what the map does not name. The copies must stay equal, or owned and unowned groups,
# providers and entities would alert on different conditions; the tests exercise only some of each.
node --input-type=module - <<'JS'
import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
const join = /^([\s\S]*?)\*\s*on \((\w+)\) group_left \(team\) tributary:\w+_owner:info\s+or on \(\2\)\s+([\s\S]*)$/;
// Whitespace-insensitive, and without parentheses around the whole expression.
const canonical = (expr) => {
  let e = expr.replace(/\s+/g, ' ').replace(/\s*([()])\s*/g, '$1').trim();
  for (;;) {
    if (!e.startsWith('(') || !e.endsWith(')')) return e;
    let depth = 0;
    for (let i = 0; i < e.length; i++) {
      depth += e[i] === '(' ? 1 : e[i] === ')' ? -1 : 0;
      if (depth === 0 && i < e.length - 1) return e;
    }
    e = e.slice(1, -1).trim();
  }
};
let joined = 0;
const problems = [];
for (const file of readdirSync('rules').filter((f) => f.endsWith('.rules.yml'))) {
  for (const rule of parse(readFileSync(`rules/${file}`, 'utf8')).groups.flatMap((g) => g.rules)) {
    if (!rule.alert || !rule.expr.includes('group_left (team)')) continue;
    const match = join.exec(rule.expr.trim());
    if (!match) problems.push(`${file} ${rule.alert}: team join not in the form above`);
    else if (canonical(match[1]) !== canonical(match[3]))
      problems.push(`${file} ${rule.alert}: the two copies of the condition differ`);
    else joined++;
  }
}
if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`${joined} alerts take their team from the ownership series, each with equal copies of its condition`);
JS
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
