/**
 * Regenerates infra/prometheus/rules/ownership.rules.yml from the ownership map, the topic catalogue and the
 * reconciliation map. `--check` only reports whether it is stale (infra/prometheus/check.sh runs it).
 * Run: `npm run generate:ownership-rules`.
 */
import { fileURLToPath } from 'node:url';
import { ownershipRulesPath, renderOwnershipRules } from '../src/tooling/ownership-rules.js';
import { writeGenerated } from './generated-file.js';

writeGenerated(
  fileURLToPath(new URL(`../../../${ownershipRulesPath}`, import.meta.url)),
  renderOwnershipRules(),
  {
    name: ownershipRulesPath,
    regenerate: 'npm run generate:ownership-rules',
  },
);
