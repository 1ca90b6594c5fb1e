import { readFileSync } from 'node:fs';
import { parseSecretList, webhookDefinitions } from '@tributary/webhooks';
import { z } from 'zod';

/**
 * The one place this app reads the environment (DESIGN §10). A bad or missing value stops the boot with a
 * message naming the variable, before any connection is opened. Webhook secrets come from the variable each
 * provider definition names (e.g. STRIPE_WEBHOOK_SECRETS), or from a file named by `<variable>_FILE`.
 */
const day = 24 * 3600;

const positiveInt = z.coerce.number().int().positive();

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3200),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }),
  DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/)
    .default('public'),
  DATABASE_POOL_SIZE: positiveInt.max(200).default(20),
  KAFKA_BROKERS: z.string().min(1),
  SCHEMA_REGISTRY_URL: z.url(),
  KAFKA_TOPIC_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9._-]*$/)
    .default(''),
  ENSURE_TOPICS: z.stringbool().default(true),
  OUTBOX_BATCH_SIZE: positiveInt.default(500),
  PUBLIC_BASE_URL: z.url().optional(),
  BODY_LIMIT_BYTES: positiveInt.default(1024 * 1024),
  EVENT_LOG_RETENTION_DAYS: z.coerce.number().min(7).default(7),
  EVENT_LOG_CLEANUP_INTERVAL_MS: positiveInt.default(3_600_000),
  WEBHOOK_RATE_PER_SECOND: positiveInt.default(1000),
  WEBHOOK_RATE_BURST: positiveInt.default(2000),
  API_RATE_PER_SECOND: positiveInt.default(100),
  API_RATE_BURST: positiveInt.default(200),
  REPLAY_RATE_PER_MINUTE: positiveInt.default(6),
  REPLAY_RATE_BURST: positiveInt.default(3),
  REPLAY_MAX_ENTRIES: positiveInt.max(100_000).default(1000),
  API_KEY_CACHE_TTL_MS: z.coerce.number().int().min(0).default(5000),
  SHUTDOWN_TIMEOUT_MS: positiveInt.default(25_000),
  // 0 disables the automatic retry of webhooks that named an object before its reference existed.
  UNRESOLVED_RETRY_INTERVAL_MS: z.coerce.number().int().min(0).default(5000),
  UNRESOLVED_RETRY_WINDOW_MS: positiveInt.default(3_600_000),
  // provider=schema pairs, e.g. easypost=connector_logistics: whose external_refs a provider's webhooks use.
  EXTERNAL_REFS_SCHEMAS: z
    .string()
    .regex(/^([a-z][a-z0-9-]*=[a-z_][a-z0-9_]*)?(,[a-z][a-z0-9-]*=[a-z_][a-z0-9_]*)*$/, {
      message: 'expected provider=schema pairs separated by commas',
    })
    .default(''),
});

export interface RateLimitConfig {
  /** Tokens added per second. */
  readonly ratePerSecond: number;
  /** Bucket size: the burst allowed on top of the steady rate. */
  readonly burst: number;
}

export type IngestionConfig = {
  readonly port: number;
  readonly logLevel: z.infer<typeof schema>['LOG_LEVEL'];
  readonly database: { readonly url: string; readonly schema: string; readonly poolSize: number };
  readonly kafka: {
    readonly brokers: string[];
    readonly topicPrefix: string;
    readonly ensureTopics: boolean;
  };
  readonly schemaRegistryUrl: string;
  readonly outboxBatchSize: number;
  /** The URL providers call, when a proxy sits in front (HubSpot signs the full URL). */
  readonly publicBaseUrl: string | undefined;
  readonly bodyLimitBytes: number;
  readonly eventLog: { readonly retentionSeconds: number; readonly cleanupIntervalMs: number };
  /** Active secrets per provider; a provider without any is refused (fail closed). */
  readonly webhookSecrets: Readonly<Record<string, readonly string[]>>;
  readonly rateLimits: {
    readonly webhookPerProvider: RateLimitConfig;
    readonly apiPerKey: RateLimitConfig;
    readonly replayPerKey: RateLimitConfig;
  };
  readonly replayMaxEntries: number;
  readonly apiKeyCacheTtlMs: number;
  readonly shutdownTimeoutMs: number;
  /**
   * The schema whose `external_refs` each provider's webhook mappings read and write; ingestion's own when
   * absent. A connector owns its provider's refs (it records them as it calls the provider), so pointing a
   * provider at the connector's schema lets a callback find the ids the connector recorded.
   */
  readonly externalRefsSchemas: Readonly<Record<string, string>>;
  /** How often recent `unresolved` webhooks are mapped again, and for how long after they arrived. */
  readonly unresolvedRetry: { readonly intervalMs: number; readonly windowMs: number };
};

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
}

export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): IngestionConfig {
  const parsed = schema.safeParse(env);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  const webhookSecrets: Record<string, readonly string[]> = {};
  for (const definition of Object.values(webhookDefinitions)) {
    let secrets: string[];
    try {
      secrets = secretsOf(env, definition.secretsEnv, readFile);
    } catch (error) {
      problems.push(`${definition.secretsEnv}_FILE: ${(error as Error).message}`);
      continue;
    }
    // Decoding each secret now turns a truncated or mistyped secret into a boot failure that names the
    // variable, instead of a stream of 401s later.
    const unusable = secrets.findIndex((secret) => !usable(() => definition.scheme.keyOf(secret)));
    if (unusable >= 0)
      problems.push(
        `${definition.secretsEnv}: secret #${unusable + 1} is not a ${definition.scheme.name} secret`,
      );
    else webhookSecrets[definition.provider] = secrets;
  }
  if (!parsed.success || problems.length > 0) {
    throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const c = parsed.data;
  const retentionSeconds = c.EVENT_LOG_RETENTION_DAYS * day;
  const longestRetry = Math.max(...Object.values(webhookDefinitions).map((d) => d.retryHorizonSeconds));
  if (retentionSeconds < longestRetry) {
    throw new ConfigError(
      `invalid configuration:\n  EVENT_LOG_RETENTION_DAYS: shorter than a provider's retries`,
    );
  }
  return {
    port: c.PORT,
    logLevel: c.LOG_LEVEL,
    database: { url: c.DATABASE_URL, schema: c.DATABASE_SCHEMA, poolSize: c.DATABASE_POOL_SIZE },
    kafka: {
      brokers: c.KAFKA_BROKERS.split(',').map((broker) => broker.trim()),
      topicPrefix: c.KAFKA_TOPIC_PREFIX,
      ensureTopics: c.ENSURE_TOPICS,
    },
    schemaRegistryUrl: c.SCHEMA_REGISTRY_URL,
    outboxBatchSize: c.OUTBOX_BATCH_SIZE,
    publicBaseUrl: c.PUBLIC_BASE_URL?.replace(/\/+$/, ''),
    bodyLimitBytes: c.BODY_LIMIT_BYTES,
    eventLog: { retentionSeconds, cleanupIntervalMs: c.EVENT_LOG_CLEANUP_INTERVAL_MS },
    webhookSecrets,
    rateLimits: {
      webhookPerProvider: { ratePerSecond: c.WEBHOOK_RATE_PER_SECOND, burst: c.WEBHOOK_RATE_BURST },
      apiPerKey: { ratePerSecond: c.API_RATE_PER_SECOND, burst: c.API_RATE_BURST },
      replayPerKey: { ratePerSecond: c.REPLAY_RATE_PER_MINUTE / 60, burst: c.REPLAY_RATE_BURST },
    },
    replayMaxEntries: c.REPLAY_MAX_ENTRIES,
    apiKeyCacheTtlMs: c.API_KEY_CACHE_TTL_MS,
    shutdownTimeoutMs: c.SHUTDOWN_TIMEOUT_MS,
    unresolvedRetry: { intervalMs: c.UNRESOLVED_RETRY_INTERVAL_MS, windowMs: c.UNRESOLVED_RETRY_WINDOW_MS },
    externalRefsSchemas: Object.fromEntries(
      c.EXTERNAL_REFS_SCHEMAS.split(',')
        .filter(Boolean)
        .map((pair) => pair.split('=') as [string, string]),
    ),
  };
}

function usable(decode: () => unknown): boolean {
  try {
    decode();
    return true;
  } catch {
    return false;
  }
}

function secretsOf(
  env: Record<string, string | undefined>,
  name: string,
  readFile: (path: string) => string,
): string[] {
  const file = env[`${name}_FILE`];
  return parseSecretList(file ? readFile(file) : env[name]);
}

export const INGESTION_CONFIG = Symbol('IngestionConfig');
