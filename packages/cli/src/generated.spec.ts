import { readFileSync } from 'node:fs';
import { CLI_SERVICES, renderApiTypes, renderScopes } from '../scripts/api-types.js';

const committed = (name: string) => readFileSync(new URL(`./generated/${name}`, import.meta.url), 'utf8');

describe('the CLI types of the services APIs', () => {
  it.each(CLI_SERVICES)(
    'are generated from apps/%s/openapi.json (npm run generate -w @tributary/cli)',
    async (service) => {
      expect(committed(`${service}-api.ts`)).toBe(await renderApiTypes(service));
    },
  );

  it('list the scopes every service asks for', () => {
    expect(committed('api-scopes.ts')).toBe(renderScopes());
  });
});
