import { retentionEnv } from '@tributary/persistence';
import { z } from 'zod';
import { environmentEnv } from './environment.js';
import { tracingEnv } from './tracing-env.js';

/**
 * The environment variables every service shares, as zod shapes an app spreads into its own schema:
 *
 * ```ts
 * const schema = z.object({ ...serviceEnv({ port: 3300 }), ...backboneEnv, REPLAY_BURST: ... });
 * ```
 *
 * Each fragment is one concern, so an app that has no Kafka consumer does not list consumer variables and
 * a typo in a shared variable is caught in one place.
 */

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

export const positiveInt = z.coerce.number().int().positive();

/** Kafka's legal characters: a group name also names its retry and DLQ topics. */
export const kafkaName = z.string().regex(/^[a-zA-Z0-9._-]{1,200}$/, 'letters, digits, . _ - (at most 200)');

export const sqlIdentifier = z.string().regex(/^[a-z_][a-z0-9_]*$/, 'a lower-case SQL identifier');

/**
 * The declared environment (TRIBUTARY_ENV), HTTP port, log level, shutdown deadline, tracing (OTEL_*, off by
 * default): what the process itself needs.
 */
export function serviceEnv(defaults: { port: number }) {
  return {
    ...environmentEnv,
    PORT: z.coerce.number().int().min(0).max(65535).default(defaults.port),
    LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
    // Below Kubernetes' 30 s grace period, so the process ends on its own terms and logs why.
    SHUTDOWN_TIMEOUT_MS: positiveInt.default(25_000),
    BODY_LIMIT_BYTES: positiveInt.default(1024 * 1024),
    ...tracingEnv,
  };
}

/** Postgres, Kafka, the schema registry, the outbox relay and the platform tables' retention. */
export const backboneEnv = {
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }),
  DATABASE_SCHEMA: sqlIdentifier.optional(),
  DATABASE_POOL_SIZE: positiveInt.max(200).default(10),
  KAFKA_BROKERS: z.string().min(1),
  SCHEMA_REGISTRY_URL: z.url(),
  // Namespaces every catalogue topic (isolated test runs, benchmarks, tenants on one cluster).
  KAFKA_TOPIC_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9._-]*$/)
    .default(''),
  // Brokers here refuse auto-creation: the service creates the catalogue topics it needs unless told not to
  // (a cluster whose topics are managed elsewhere).
  ENSURE_TOPICS: z.stringbool().default(true),
  OUTBOX_BATCH_SIZE: positiveInt.default(500),
  // Relay shards (docs/architecture.md#outbox): the same for every replica; changing it drains the old count.
  OUTBOX_SHARDS: positiveInt.max(1024).default(4),
  // May the encoder register a schema the registry lacks? Unset: yes, except in TRIBUTARY_ENV=production,
  // where schemas arrive through `npm run schemas:register` (a deploy step after `schemas:check`) and a
  // publisher whose schemas are missing refuses to start (SCHEMA_NOT_REGISTERED).
  SCHEMA_AUTO_REGISTER: z.stringbool().optional(),
  // Inbox and audit log horizons (docs/architecture.md#retention).
  ...retentionEnv,
};

/** A consumer group reading catalogue topics through the reliable consumer. */
export function consumerEnv(defaults: { group?: string } = {}) {
  return {
    CONSUMER_GROUP: defaults.group === undefined ? kafkaName.optional() : kafkaName.default(defaults.group),
    RETRY_TIERS: z
      .string()
      .default('5s,1m,10m')
      .transform((value) => value.split(',').map((tier) => tier.trim())),
    // How long a crashed member keeps its partitions before the group moves them on.
    CONSUMER_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6000).max(300_000).default(30_000),
    // `key`: a key's events are applied in order also through retries and the DLQ (later ones wait, parked
    // in Postgres, behind one in a retry tier). `none`: a failed event lets later ones of its key go ahead.
    CONSUMER_ORDERING: z.enum(['key', 'none']).default('key'),
    // With `key`, when a key's head is dead-lettered: `skip` lets what waits behind it go (the DLQ entry
    // names those records), `block` keeps them waiting until the dead letter is replayed or discarded.
    CONSUMER_ON_DEAD_LETTER: z.enum(['skip', 'block']).default('skip'),
  };
}

/** API keys: the stored ones are cached this long; configured ones are listed here (see configuredApiKeys). */
export const apiKeysEnv = {
  // `<id>:<sha256 hex of the token>:<scope>+<scope>`, comma or newline separated (API_KEYS_FILE: one a line).
  API_KEYS: z.string().default(''),
  API_KEY_CACHE_TTL_MS: z.coerce.number().int().min(0).default(5000),
  API_RATE_PER_SECOND: positiveInt.default(100),
  API_RATE_BURST: positiveInt.default(200),
};
