import { z } from 'zod';

/**
 * The one place this app reads the environment (DESIGN §10). A bad or missing value stops the boot with
 * a message naming the variable, before any connection is opened.
 */
const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3100),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }),
  DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/)
    .default('public'),
  KAFKA_BROKERS: z.string().min(1),
  SCHEMA_REGISTRY_URL: z.url(),
  // Kafka's legal characters: the group also names its retry and DLQ topics.
  CONSUMER_GROUP: z
    .string()
    .regex(/^[a-zA-Z0-9._-]{1,200}$/)
    .default('example-service'),
  RETRY_TIERS: z
    .string()
    .default('5s,1m,10m')
    .transform((value) => value.split(',').map((tier) => tier.trim())),
  // How long a crashed member keeps its partitions before the group moves them on.
  CONSUMER_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6000).max(300_000).default(30_000),
  CONSUMER_LAG_EXPORTER: z.stringbool().default(true),
  OUTBOX_BATCH_SIZE: z.coerce.number().int().positive().default(500),
  // Namespaces the catalogue topics this service publishes to and consumes (isolated end-to-end runs).
  KAFKA_TOPIC_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9._-]*$/)
    .default(''),
});

export type ExampleServiceConfig = {
  readonly port: number;
  readonly logLevel: z.infer<typeof schema>['LOG_LEVEL'];
  readonly database: { readonly url: string; readonly schema: string };
  readonly kafka: {
    readonly brokers: string[];
    readonly consumerGroup: string;
    readonly retryTiers: string[];
    readonly sessionTimeoutMs: number;
    readonly topicPrefix: string;
  };
  readonly schemaRegistryUrl: string;
  readonly outboxBatchSize: number;
  readonly consumerLagExporter: boolean;
};

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
}

export function loadConfig(env: Record<string, string | undefined> = process.env): ExampleServiceConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const c = parsed.data;
  return {
    port: c.PORT,
    logLevel: c.LOG_LEVEL,
    database: { url: c.DATABASE_URL, schema: c.DATABASE_SCHEMA },
    kafka: {
      brokers: c.KAFKA_BROKERS.split(',').map((broker) => broker.trim()),
      consumerGroup: c.CONSUMER_GROUP,
      retryTiers: c.RETRY_TIERS,
      sessionTimeoutMs: c.CONSUMER_SESSION_TIMEOUT_MS,
      topicPrefix: c.KAFKA_TOPIC_PREFIX,
    },
    schemaRegistryUrl: c.SCHEMA_REGISTRY_URL,
    outboxBatchSize: c.OUTBOX_BATCH_SIZE,
    consumerLagExporter: c.CONSUMER_LAG_EXPORTER,
  };
}

export const EXAMPLE_SERVICE_CONFIG = Symbol('ExampleServiceConfig');
