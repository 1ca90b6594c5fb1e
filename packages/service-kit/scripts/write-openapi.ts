// `npm run openapi`: writes apps/<app>/openapi.json for every app with a src/http/openapi.ts, from its route
// contracts and problem catalogue. Each app's openapi.spec.ts fails while the committed file differs, so run
// this after changing a route, a schema or a problem code, and commit the result.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { renderOpenApi } from '../src/http/openapi-document.js';

const apps = fileURLToPath(new URL('../../../apps/', import.meta.url));
for (const app of readdirSync(apps).sort()) {
  const source = join(apps, app, 'src/http/openapi.ts');
  if (!existsSync(source)) continue;
  const module = (await import(pathToFileURL(source).href)) as { openApi: () => Record<string, unknown> };
  const target = join(apps, app, 'openapi.json');
  writeFileSync(target, renderOpenApi(module.openApi()));
  process.stdout.write(`wrote ${target}\n`);
}
