#!/bin/sh
# Parses every query of the provisioned dashboards with promtool: Grafana variables are replaced by
# representative values and each query becomes a recording rule that `promtool check rules` parses.
set -eu
cd "$(dirname "$0")"
if ! command -v promtool >/dev/null 2>&1; then
  echo "promtool not found: install it (apt-get install -y prometheus) to check infra/grafana" >&2
  exit 1
fi
rules="$(mktemp --suffix=.yml)"
trap 'rm -f "$rules"' EXIT
node --input-type=module - dashboards/*.json > "$rules" <<'JS'
import { readFileSync } from 'node:fs';
const exprs = process.argv.slice(2).flatMap((file) =>
  JSON.parse(readFileSync(file, 'utf8')).panels.flatMap((panel) =>
    (panel.targets ?? []).map((target) => ({ file, panel: panel.title, expr: target.expr })),
  ),
);
const substitute = (expr) =>
  expr.replaceAll('$__rate_interval', '1m').replaceAll('$__range', '1h').replace(/\$\{?\w+\}?/g, '.*');
console.log('groups:\n  - name: dashboard-queries\n    rules:');
exprs.forEach(({ file, panel, expr }, i) => {
  console.error(`${file}: ${panel}: ${expr}`);
  console.log(`      - record: dashboard_query_${i}\n        expr: ${JSON.stringify(substitute(expr))}`);
});
JS
promtool check rules "$rules"
