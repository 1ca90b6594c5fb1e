// `npm run generate -w @tributary/cli`: rewrites src/generated/ from the services' OpenAPI documents. Run it
// after `npm run openapi` changed one; src/generated.spec.ts fails while they differ.
import { writeFileSync } from 'node:fs';
import { CLI_SERVICES, renderApiTypes, renderScopes } from './api-types.js';

const target = (name: string) => new URL(`../src/generated/${name}`, import.meta.url);
for (const service of CLI_SERVICES) {
  writeFileSync(target(`${service}-api.ts`), await renderApiTypes(service));
}
writeFileSync(target('api-scopes.ts'), renderScopes());
process.stdout.write(`wrote src/generated/ for ${CLI_SERVICES.join(', ')}\n`);
