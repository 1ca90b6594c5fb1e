/**
 * Regenerates src/generated/events.ts from schemas/. `--check` only reports whether it is stale.
 * Run: `npm run schemas:generate` (or `npm run generate -w @tributary/contracts`).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
// Straight to the tooling modules: src/index.ts imports the very file this script (re)creates.
import { renderEventsModule } from '../src/tooling/codegen.js';
import { loadSchemaFiles } from '../src/tooling/schema-files.js';

const target = fileURLToPath(new URL('../src/generated/events.ts', import.meta.url));
const files = loadSchemaFiles();
const rendered = renderEventsModule(files);
const current = (() => {
  try {
    return readFileSync(target, 'utf8');
  } catch {
    return undefined;
  }
})();

if (process.argv.includes('--check')) {
  if (current !== rendered) {
    console.error(`${target} is stale: run npm run schemas:generate`);
    process.exit(1);
  }
  console.log(`${target} is up to date (${files.length} event types)`);
} else if (current === rendered) {
  console.log(`${target} already up to date (${files.length} event types)`);
} else {
  writeFileSync(target, rendered);
  console.log(`wrote ${target} (${files.length} event types)`);
}
