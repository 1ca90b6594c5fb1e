// Writes apps/dlq-handler/openapi.json from the code, formatted as the repo's prettier config wants it. The
// unit test openapi.spec.ts fails when the committed document differs, so run this after changing a route,
// a request schema or a problem code: npm run openapi -w @tributary/dlq-handler
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { renderOpenApi } from '../src/openapi/openapi.document.js';

const target = fileURLToPath(new URL('../openapi.json', import.meta.url));
const options = await prettier.resolveConfig(target);
writeFileSync(target, await prettier.format(renderOpenApi(), { ...options, filepath: target }));
process.stdout.write(`wrote ${target}\n`);
