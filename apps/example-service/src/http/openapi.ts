import { openApiDocument } from '@tributary/service-kit/http';
import { orderRoutes } from '../orders/orders.routes.js';
import { exampleServiceProblems } from './problems.js';

/** The HTTP contract of this service; `npm run openapi` writes it to openapi.json (CHANGELOG.md: version). */
export function openApi(): Record<string, unknown> {
  return openApiDocument({
    title: 'Tributary example-service',
    version: '1.1.0',
    description:
      'Generated from the route contracts (npm run openapi); do not edit openapi.json by hand. Errors are application/problem+json (RFC 9457) with a stable `code`.',
    routes: [...orderRoutes],
    problems: exampleServiceProblems,
  });
}
