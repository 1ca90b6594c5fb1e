import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** What an API key may do here. A key holds only the scopes listed for it in DLQ_API_KEYS. */
export const DLQ_SCOPES = ['dlq:read', 'dlq:replay', 'dlq:discard'] as const;
export type DlqScope = (typeof DLQ_SCOPES)[number];

/** One configured API key: only the sha256 of the token is known to the process. */
export interface ApiKeyConfig {
  readonly id: string;
  readonly sha256: string;
  readonly scopes: readonly DlqScope[];
}

// `<id>:<sha256 hex>:<scope>+<scope>`; entries separated by commas or newlines (so a *_FILE can list one per line).
const apiKeyEntry = z
  .string()
  .regex(
    /^[a-zA-Z0-9._-]{1,64}:[0-9a-f]{64}:dlq:(read|replay|discard)(\+dlq:(read|replay|discard))*$/,
    'expected <id>:<sha256 hex>:<scope>[+<scope>...] with scopes dlq:read, dlq:replay, dlq:discard',
  )
  .transform((entry): ApiKeyConfig => {
    const [id = '', sha256 = '', ...rest] = entry.split(':');
    const scopes = rest.join(':').split('+') as DlqScope[];
    return { id, sha256, scopes: [...new Set(scopes)] };
  });

/**
 * The one place this app reads the environment (DESIGN §10). A bad or missing value stops the boot with
 * a message naming the variable, before any connection is opened.
 */
const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3300),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }),
  DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/)
    .default('public'),
  KAFKA_BROKERS: z.string().min(1),
  SCHEMA_REGISTRY_URL: z.url(),
  // The handler's own group: it reads every DLQ, and its committed offsets say what is already stored.
  CONSUMER_GROUP: z
    .string()
    .regex(/^[a-zA-Z0-9._-]{1,200}$/)
    .default('dlq-handler'),
  CONSUMER_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6000).max(300_000).default(30_000),
  // kafkajs resolves a topic pattern once, at subscribe: the topic list is polled this often and the consumer
  // re-subscribed when a new DLQ (or resolution) topic appears.
  TOPIC_REFRESH_MS: z.coerce.number().int().min(200).max(600_000).default(30_000),
  REPLAY_RATE_PER_SECOND: z.coerce.number().positive().max(10_000).default(50),
  // Tokens the replay bucket holds when idle: how many records may leave at once after a quiet period.
  REPLAY_BURST: z.coerce.number().int().min(1).max(10_000).default(10),
  // A sent replay with no outcome (resolved, or dead-lettered again) this long after it was sent is flagged
  // replay_stalled. 30 min: three times the default tiers' whole ladder (5 s + 1 min + 10 min), so a replay
  // that fails its way through every tier back to the DLQ is not flagged on the way.
  REPLAY_STALL_AFTER_MS: z.coerce
    .number()
    .int()
    .min(1_000)
    .max(7 * 86_400_000)
    .default(1_800_000),
  // Largest number of dead letters one replay or discard request may select by filter.
  BULK_LIMIT: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
  METRICS_REFRESH_MS: z.coerce.number().int().min(200).max(600_000).default(15_000),
  DLQ_API_KEYS: z.string().optional(),
  DLQ_API_KEYS_FILE: z.string().optional(),
});

export type DlqHandlerConfig = {
  readonly port: number;
  readonly logLevel: z.infer<typeof schema>['LOG_LEVEL'];
  readonly database: { readonly url: string; readonly schema: string };
  readonly kafka: {
    readonly brokers: string[];
    readonly consumerGroup: string;
    readonly sessionTimeoutMs: number;
    readonly topicRefreshMs: number;
  };
  readonly schemaRegistryUrl: string;
  readonly replay: { readonly ratePerSecond: number; readonly burst: number; readonly stallAfterMs: number };
  readonly bulkLimit: number;
  readonly metricsRefreshMs: number;
  readonly apiKeys: readonly ApiKeyConfig[];
};

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
}

export function loadConfig(env: Record<string, string | undefined> = process.env): DlqHandlerConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) throw configError(parsed.error.issues);
  const c = parsed.data;
  const keysText = c.DLQ_API_KEYS_FILE ? readFileSync(c.DLQ_API_KEYS_FILE, 'utf8') : (c.DLQ_API_KEYS ?? '');
  const keys = z.array(apiKeyEntry).safeParse(
    keysText
      .split(/[,\n]/)
      .map((entry) => entry.trim())
      .filter(Boolean),
  );
  if (!keys.success) {
    const variable = c.DLQ_API_KEYS_FILE ? 'DLQ_API_KEYS_FILE' : 'DLQ_API_KEYS';
    throw configError(keys.error.issues.map((issue) => ({ ...issue, path: [variable, ...issue.path] })));
  }
  return {
    port: c.PORT,
    logLevel: c.LOG_LEVEL,
    database: { url: c.DATABASE_URL, schema: c.DATABASE_SCHEMA },
    kafka: {
      brokers: c.KAFKA_BROKERS.split(',').map((broker) => broker.trim()),
      consumerGroup: c.CONSUMER_GROUP,
      sessionTimeoutMs: c.CONSUMER_SESSION_TIMEOUT_MS,
      topicRefreshMs: c.TOPIC_REFRESH_MS,
    },
    schemaRegistryUrl: c.SCHEMA_REGISTRY_URL,
    replay: {
      ratePerSecond: c.REPLAY_RATE_PER_SECOND,
      burst: c.REPLAY_BURST,
      stallAfterMs: c.REPLAY_STALL_AFTER_MS,
    },
    bulkLimit: c.BULK_LIMIT,
    metricsRefreshMs: c.METRICS_REFRESH_MS,
    apiKeys: keys.data,
  };
}

function configError(issues: readonly { path: readonly PropertyKey[]; message: string }[]): ConfigError {
  const problems = issues.map((issue) => `${issue.path.map(String).join('.')}: ${issue.message}`);
  return new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
}

export const DLQ_HANDLER_CONFIG = Symbol('DlqHandlerConfig');
