import { StackErrorCode, stackError } from './errors.js';

export type StackSource = 'env' | 'testcontainers' | 'local';

/** Connection details of a running stack: the one shape every path (env, testcontainers, local) hands out. */
export interface StackEndpoints {
  source: StackSource;
  kafka: { brokers: string[]; version: string };
  registry: { url: string };
  postgres: { url: string };
}

/** The environment variables through which a stack reaches tests, apps and child processes. */
export const STACK_ENV = {
  brokers: 'KAFKA_BROKERS',
  registry: 'SCHEMA_REGISTRY_URL',
  database: 'DATABASE_URL',
  source: 'TRIBUTARY_STACK_SOURCE',
  kafkaVersion: 'TRIBUTARY_KAFKA_VERSION',
} as const;

const SOURCES: readonly StackSource[] = ['env', 'testcontainers', 'local'];

/**
 * Reads connection details from the environment. Returns undefined when none of the three is set;
 * a partial set is refused, because silently starting a second stack next to a half-configured one
 * hides a typo.
 */
export function endpointsFromEnv(env: NodeJS.ProcessEnv): StackEndpoints | undefined {
  const brokers = env[STACK_ENV.brokers]?.trim();
  const registry = env[STACK_ENV.registry]?.trim();
  const database = env[STACK_ENV.database]?.trim();
  const given = [brokers, registry, database].filter(Boolean).length;
  if (given === 0) return undefined;
  if (!brokers || !registry || !database) {
    const missing = [
      [STACK_ENV.brokers, brokers],
      [STACK_ENV.registry, registry],
      [STACK_ENV.database, database],
    ]
      .filter(([, value]) => !value)
      .map(([name]) => name);
    throw stackError(
      StackErrorCode.envIncomplete,
      `Set all of ${STACK_ENV.brokers}, ${STACK_ENV.registry}, ${STACK_ENV.database} or none of them; ` +
        `missing: ${missing.join(', ')}.`,
    );
  }
  const declared = env[STACK_ENV.source] as StackSource | undefined;
  return {
    source: declared && SOURCES.includes(declared) ? declared : 'env',
    kafka: {
      brokers: brokers
        .split(',')
        .map((b) => b.trim())
        .filter(Boolean),
      version: env[STACK_ENV.kafkaVersion]?.trim() || 'unknown',
    },
    registry: { url: registry.replace(/\/+$/, '') },
    postgres: { url: database },
  };
}

/** The inverse of endpointsFromEnv: what a parent process exports so children see the same stack. */
export function endpointsToEnv(endpoints: StackEndpoints): Record<string, string> {
  const env: Record<string, string> = {
    [STACK_ENV.brokers]: endpoints.kafka.brokers.join(','),
    [STACK_ENV.registry]: endpoints.registry.url,
    [STACK_ENV.database]: endpoints.postgres.url,
    [STACK_ENV.source]: endpoints.source,
  };
  // The same variable selects the version of a stack to start, so never hand down a placeholder.
  if (endpoints.kafka.version !== 'unknown') env[STACK_ENV.kafkaVersion] = endpoints.kafka.version;
  return env;
}
