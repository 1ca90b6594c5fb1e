/**
 * Regenerates src/generated/events.ts from schemas/. `--check` only reports whether it is stale.
 * Run: `npm run schemas:generate` (or `npm run generate -w @tributary/contracts`).
 */
import { fileURLToPath } from 'node:url';
// Straight to the tooling modules: src/index.ts imports the very file this script (re)creates.
import { renderEventsModule } from '../src/tooling/codegen.js';
import { loadSchemaFiles } from '../src/tooling/schema-files.js';
import { writeGenerated } from './generated-file.js';

const target = fileURLToPath(new URL('../src/generated/events.ts', import.meta.url));
const files = loadSchemaFiles();
writeGenerated(target, renderEventsModule(files), {
  name: target,
  regenerate: 'npm run schemas:generate',
  detail: `${files.length} event types`,
});
