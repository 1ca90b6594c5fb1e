import { readFileSync } from 'node:fs';
import { renderOpenApi } from '@tributary/service-kit/http';
import { openApi } from './openapi.js';

describe('OpenAPI document', () => {
  it('is committed as generated: paths, parameters, bodies, responses and problem codes (npm run openapi)', () => {
    const committed = readFileSync(new URL('../../openapi.json', import.meta.url), 'utf8');
    expect(JSON.parse(committed)).toEqual(JSON.parse(renderOpenApi(openApi())));
  });
});
