import { z } from 'zod';
import { ConnectorErrorCode } from '../errors.js';
import type { ConnectorDefinition } from '../define-connector.js';

/** What every connector app needs, whatever its provider. */
const platformSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3200),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }),
  DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/)
    .optional(),
  KAFKA_BROKERS: z.string().min(1),
  SCHEMA_REGISTRY_URL: z.url(),
  // Kafka's legal characters: the group also names its retry and DLQ topics.
  CONSUMER_GROUP: z
    .string()
    .regex(/^[a-zA-Z0-9._-]{1,200}$/)
    .optional(),
  RETRY_TIERS: z
    .string()
    .default('5s,1m,10m')
    .transform((value) => value.split(',').map((tier) => tier.trim())),
  CONSUMER_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6000).max(300_000).default(30_000),
  OUTBOX_BATCH_SIZE: z.coerce.number().int().positive().default(500),
  // Overrides the definition's per-call timeout: operators tune it to the provider's observed latency.
  PROVIDER_TIMEOUT_MS: z.coerce.number().int().positive().optional(),
  // Override the definition's token bucket: a provider account's real quota (a paid tier, a sandbox).
  PROVIDER_RATE_LIMIT_RPS: z.coerce.number().positive().optional(),
  PROVIDER_RATE_LIMIT_BURST: z.coerce.number().int().positive().optional(),
  // Partitions handled at once: with a slow provider, one event at a time caps throughput at 1/latency.
  CONSUMER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(1),
  // Namespaces every catalogue topic the connector consumes and publishes to (tests, benchmarks, tenants).
  KAFKA_TOPIC_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9._-]*$/)
    .default(''),
});

export interface ConnectorPlatformConfig {
  readonly port: number;
  readonly logLevel: z.infer<typeof platformSchema>['LOG_LEVEL'];
  readonly database: { readonly url: string; readonly schema: string };
  readonly kafka: {
    readonly brokers: string[];
    readonly consumerGroup: string;
    readonly retryTiers: string[];
    readonly sessionTimeoutMs: number;
    readonly concurrency: number;
    readonly topicPrefix: string;
  };
  readonly schemaRegistryUrl: string;
  readonly outboxBatchSize: number;
  /** Operator overrides of the definition's limits. */
  readonly provider: {
    readonly timeoutMs?: number;
    readonly rateLimit?: { readonly requestsPerSecond: number; readonly burst?: number };
  };
}

export interface ConnectorConfig<TConfig> {
  readonly platform: ConnectorPlatformConfig;
  readonly connector: TConfig;
}

export class ConnectorConfigError extends Error {
  readonly code = ConnectorErrorCode.configInvalid;
}

/**
 * The one place a connector app reads the environment (DESIGN §10): the platform variables and the
 * connector's own schema, both checked before any connection opens. Every problem is listed, by variable.
 */
export function loadConnectorConfig<TSchema extends z.ZodType>(
  definition: Pick<ConnectorDefinition<TSchema>, 'id' | 'config'>,
  env: Record<string, string | undefined> = process.env,
): ConnectorConfig<z.output<TSchema>> {
  const platform = platformSchema.safeParse(env);
  const connector = definition.config.safeParse(env);
  const problems = [
    ...(platform.success ? [] : platform.error.issues),
    ...(connector.success ? [] : connector.error.issues),
  ].map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  if (!platform.success || !connector.success) {
    throw new ConnectorConfigError(
      `invalid configuration of connector-${definition.id}:\n  ${problems.join('\n  ')}`,
    );
  }
  const c = platform.data;
  const group = c.CONSUMER_GROUP ?? `connector-${definition.id}`;
  return {
    platform: {
      port: c.PORT,
      logLevel: c.LOG_LEVEL,
      database: {
        url: c.DATABASE_URL,
        schema: c.DATABASE_SCHEMA ?? `connector_${definition.id.replaceAll('-', '_')}`,
      },
      kafka: {
        brokers: c.KAFKA_BROKERS.split(',').map((broker) => broker.trim()),
        consumerGroup: group,
        retryTiers: c.RETRY_TIERS,
        sessionTimeoutMs: c.CONSUMER_SESSION_TIMEOUT_MS,
        concurrency: c.CONSUMER_CONCURRENCY,
        topicPrefix: c.KAFKA_TOPIC_PREFIX,
      },
      schemaRegistryUrl: c.SCHEMA_REGISTRY_URL,
      outboxBatchSize: c.OUTBOX_BATCH_SIZE,
      provider: {
        ...(c.PROVIDER_TIMEOUT_MS === undefined ? {} : { timeoutMs: c.PROVIDER_TIMEOUT_MS }),
        ...(c.PROVIDER_RATE_LIMIT_RPS === undefined
          ? {}
          : {
              rateLimit: {
                requestsPerSecond: c.PROVIDER_RATE_LIMIT_RPS,
                ...(c.PROVIDER_RATE_LIMIT_BURST === undefined ? {} : { burst: c.PROVIDER_RATE_LIMIT_BURST }),
              },
            }),
      },
    },
    connector: connector.data as z.output<TSchema>,
  };
}
