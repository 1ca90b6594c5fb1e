import { openApiDocument } from '@tributary/service-kit/http';
import { deadLetterRoutes } from '../dead-letters/dead-letters.routes.js';
import { dlqProblems } from './problem.js';

/** The HTTP contract of this service; `npm run openapi` writes it to openapi.json (CHANGELOG.md: version). */
export function openApi(): Record<string, unknown> {
  return openApiDocument({
    title: 'Tributary dead-letter handler',
    version: '1.4.0',
    description:
      'Generated from the route contracts (npm run openapi); do not edit openapi.json by hand. Errors are application/problem+json (RFC 9457) with a stable `code`.',
    routes: [...deadLetterRoutes],
    problems: dlqProblems,
    apiKeyDescription:
      'API key as a bearer token: a stored key (tributary api-keys --service dlq-handler) or one configured in API_KEYS.',
  });
}
