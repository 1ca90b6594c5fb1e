import { openApiDocument } from '@tributary/service-kit/http';
import { findingRoutes } from '../findings/findings.routes.js';
import { providerChangeRoutes } from '../provider-changes/provider-changes.routes.js';
import { runRoutes } from '../runs/runs.routes.js';
import { reconciliationProblems } from './problems.js';

/** The HTTP contract of this service; `npm run openapi` writes it to openapi.json (CHANGELOG.md: version). */
export function openApi(): Record<string, unknown> {
  return openApiDocument({
    title: 'Tributary reconciliation',
    version: '1.0.0',
    description:
      'Generated from the route contracts (npm run openapi); do not edit openapi.json by hand. Errors are application/problem+json (RFC 9457) with a stable `code`.',
    routes: [...runRoutes, ...findingRoutes, ...providerChangeRoutes],
    problems: reconciliationProblems,
    apiKeyDescription: 'API key trb_<id>_<secret> (tributary api-keys create --service reconciliation).',
  });
}
