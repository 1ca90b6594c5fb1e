import {
  backboneEnv,
  consumerConfig,
  consumerEnv,
  loadConfig,
  serviceConfig,
  serviceEnv,
} from '@tributary/service-kit';
import type { ConsumerConfig, Env, ServiceConfig } from '@tributary/service-kit';
import { providerShapesConfig, providerShapesEnv } from '@tributary/provider-shapes';
import type { ProviderShapesConfig } from '@tributary/provider-shapes';
import { z } from 'zod';
import type { ConnectorDefinition } from '../define-connector.js';
import { checkCredentials } from './credentials.js';
import type { CheckedCredential } from './credentials.js';

/** What every connector app reads besides its own variables: the kit's shared ones and these. */
const connectorEnv = {
  ...serviceEnv({ port: 3200 }),
  ...backboneEnv,
  ...consumerEnv(),
  ...providerShapesEnv,
  // Overrides the definition's per-call timeout: operators tune it to the provider's observed latency.
  PROVIDER_TIMEOUT_MS: z.coerce.number().int().positive().optional(),
  // Override the definition's token bucket: a provider account's real quota (a paid tier, a sandbox).
  PROVIDER_RATE_LIMIT_RPS: z.coerce.number().positive().optional(),
  PROVIDER_RATE_LIMIT_BURST: z.coerce.number().int().positive().optional(),
  // Partitions handled at once: with a slow provider, one event at a time caps throughput at 1/latency.
  CONSUMER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(1),
  // Events of different keys handled at once within one partition (one key's never overlap, and keep their
  // order). In flight per process: this × CONSUMER_CONCURRENCY; each holds a database connection while it
  // commits. 1: one event at a time per partition.
  CONSUMER_KEY_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(8),
};

export type ConnectorPlatformConfig = ServiceConfig & {
  readonly consumer: ConsumerConfig & { readonly concurrency: number; readonly keyConcurrency: number };
  /** Operator overrides of the definition's limits. */
  readonly provider: {
    readonly timeoutMs?: number;
    readonly rateLimit?: { readonly requestsPerSecond: number; readonly burst?: number };
  };
  /** Sampling of the provider's response shapes (docs/architecture.md#provider-shapes). */
  readonly providerShapes: ProviderShapesConfig;
};

export interface ConnectorConfig<TConfig> {
  readonly platform: ConnectorPlatformConfig;
  readonly connector: TConfig;
  /** The definition's credentials as classified at boot (variable and mode), for the boot log. */
  readonly credentials: readonly CheckedCredential[];
}

/**
 * The one place a connector app reads the environment: the platform variables and the connector's own
 * schema, parsed together so every problem is listed at once, by variable, before any connection opens.
 * Any variable, the provider credentials included, may come from `<NAME>_FILE`. The definition's
 * `credentials` are checked against TRIBUTARY_ENV here, so a live key outside production (or a test key in
 * it) is one more problem of the same report.
 */
export function loadConnectorConfig<TSchema extends z.ZodType>(
  definition: Pick<ConnectorDefinition<TSchema>, 'id' | 'config'> &
    Partial<Pick<ConnectorDefinition<TSchema>, 'provider' | 'credentials'>>,
  env: Env = process.env,
  readFile?: (path: string) => string,
): ConnectorConfig<z.output<TSchema>> {
  const service = `connector-${definition.id}`;
  // A connector's own schema is an object of variables (what the generator writes); its fields join the
  // platform's so that `_FILE` and the error report cover them too.
  const own = definition.config instanceof z.ZodObject ? definition.config.shape : {};
  const schema = z.object({ ...connectorEnv, ...own });
  return loadConfig(
    schema,
    (values, problems) => {
      const connector = definition.config.safeParse(values);
      if (!connector.success) {
        for (const issue of connector.error.issues)
          problems.push(`${issue.path.map(String).join('.')}: ${issue.message}`);
      }
      const credentials = connector.success
        ? checkCredentials(
            { provider: definition.provider ?? definition.id, credentials: definition.credentials ?? {} },
            connector.data as Record<string, unknown>,
            values.TRIBUTARY_ENV,
            problems,
          )
        : [];
      return {
        platform: {
          ...serviceConfig(service, values, `connector_${definition.id.replaceAll('-', '_')}`),
          consumer: {
            ...consumerConfig(values, service),
            concurrency: values.CONSUMER_CONCURRENCY,
            keyConcurrency: values.CONSUMER_KEY_CONCURRENCY,
          },
          provider: {
            ...(values.PROVIDER_TIMEOUT_MS === undefined ? {} : { timeoutMs: values.PROVIDER_TIMEOUT_MS }),
            ...(values.PROVIDER_RATE_LIMIT_RPS === undefined
              ? {}
              : {
                  rateLimit: {
                    requestsPerSecond: values.PROVIDER_RATE_LIMIT_RPS,
                    ...(values.PROVIDER_RATE_LIMIT_BURST === undefined
                      ? {}
                      : { burst: values.PROVIDER_RATE_LIMIT_BURST }),
                  },
                }),
          },
          providerShapes: providerShapesConfig(values),
        },
        connector: (connector.success ? connector.data : undefined) as z.output<TSchema>,
        credentials,
      };
    },
    { service, env, ...(readFile ? { readFile } : {}) },
  );
}
