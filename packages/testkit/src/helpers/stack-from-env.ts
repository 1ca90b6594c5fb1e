import type { StackEndpoints } from '../stack/endpoints.js';
import { STACK_ENV, endpointsFromEnv } from '../stack/endpoints.js';
import { StackErrorCode, stackError } from '../stack/errors.js';

/**
 * The stack this test process should use, as the jest global setup (or the caller's shell) exported it.
 * Integration tests call this instead of reading process.env themselves.
 */
export function stackFromEnv(env: NodeJS.ProcessEnv = process.env): StackEndpoints {
  const endpoints = endpointsFromEnv(env);
  if (!endpoints) {
    throw stackError(
      StackErrorCode.notRunning,
      `No stack: ${STACK_ENV.brokers}, ${STACK_ENV.registry} and ${STACK_ENV.database} are unset. Run integration tests ` +
        'through jest (`--selectProjects int`, whose global setup provides a stack) or export them from `npm run -s stack:up`.',
    );
  }
  return endpoints;
}
