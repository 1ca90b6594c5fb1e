/**
 * Regenerates infra/prometheus/rules/ownership.rules.yml from the ownership map, the topic catalogue and the
 * reconciliation map. `--check` only reports whether it is stale (infra/prometheus/check.sh runs it).
 * Run: `npm run generate:ownership-rules`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ownershipRulesPath, renderOwnershipRules } from '../src/tooling/ownership-rules.js';

const target = fileURLToPath(new URL(`../../../${ownershipRulesPath}`, import.meta.url));
const rendered = renderOwnershipRules();
const current = (() => {
  try {
    return readFileSync(target, 'utf8');
  } catch {
    return undefined;
  }
})();

if (process.argv.includes('--check')) {
  if (current !== rendered) {
    console.error(`${ownershipRulesPath} is stale: run npm run generate:ownership-rules`);
    process.exit(1);
  }
  console.log(`${ownershipRulesPath} is up to date`);
} else if (current === rendered) {
  console.log(`${ownershipRulesPath} already up to date`);
} else {
  writeFileSync(target, rendered);
  console.log(`wrote ${ownershipRulesPath}`);
}
