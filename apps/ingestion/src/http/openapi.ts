import { openApiDocument } from '@tributary/service-kit/http';
import { eventLogRoutes } from '../event-log/event-log.routes.js';
import { eventRoutes } from '../events/events.routes.js';
import { webhookRoutes } from '../webhooks/webhooks.routes.js';
import { ingestionProblems } from './problem.js';

/** The HTTP contract of this service; `npm run openapi` writes it to openapi.json (CHANGELOG.md: version). */
export function openApi(): Record<string, unknown> {
  return openApiDocument({
    title: 'Tributary ingestion',
    version: '1.1.0',
    description:
      'Generated from the route contracts (npm run openapi); do not edit openapi.json by hand. Errors are application/problem+json (RFC 9457) with a stable `code`.',
    routes: [...webhookRoutes, ...eventRoutes, ...eventLogRoutes],
    problems: ingestionProblems,
    apiKeyDescription: 'API key trb_<id>_<secret> (tributary api-keys create), or one listed in API_KEYS.',
  });
}
