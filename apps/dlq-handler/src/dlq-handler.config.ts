import {
  apiKeysEnv,
  backboneEnv,
  kafkaName,
  loadConfig as loadServiceConfig,
  parseConfiguredApiKeys,
  serviceConfig,
  serviceEnv,
} from '@tributary/service-kit';
import type { ConfiguredApiKey, Env, KafkaConfig, RateLimit, ServiceConfig } from '@tributary/service-kit';
import { z } from 'zod';
import {
  deadLetterRetentionConfig,
  deadLetterRetentionEnv,
} from './dead-letters/dead-letter-retention.config.js';
import type { DeadLetterRetentionConfig } from './dead-letters/dead-letter-retention.config.js';

/**
 * What an API key may do here. A stored key holds the scopes it was issued with (`tributary api-keys
 * --service dlq-handler`), a configured one those listed for it in API_KEYS.
 */
export const DLQ_SCOPES = ['dlq:read', 'dlq:replay', 'dlq:discard'] as const;
export type DlqScope = (typeof DLQ_SCOPES)[number];

/**
 * The one place this app reads the environment: the kit's shared variables plus the handler's own. A bad or
 * missing value stops the boot with every problem named by its variable, before any connection opens.
 */
const schema = z.object({
  ...serviceEnv({ port: 3300 }),
  ...backboneEnv,
  ...apiKeysEnv,
  // The handler's own group: it reads every DLQ, and its committed offsets say what is already stored.
  CONSUMER_GROUP: kafkaName.default('dlq-handler'),
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
  // How long a replica's claim on the rows it is sending holds without renewal (renewed every third of it
  // while a send runs). A replica that dies leaves its rows in doubt this long, then another one settles them
  // from their tier. 30 s: the default consumer session timeout, i.e. as long as Kafka waits for a dead member.
  REPLAY_LEASE_MS: z.coerce.number().int().min(1_000).max(600_000).default(30_000),
  // Largest number of dead letters one replay or discard request may select by filter.
  BULK_LIMIT: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
  METRICS_REFRESH_MS: z.coerce.number().int().min(200).max(600_000).default(15_000),
  ...deadLetterRetentionEnv,
});

export type DlqHandlerConfig = ServiceConfig & {
  readonly kafka: KafkaConfig & {
    readonly consumerGroup: string;
    readonly sessionTimeoutMs: number;
    readonly topicRefreshMs: number;
  };
  readonly replay: {
    readonly ratePerSecond: number;
    readonly burst: number;
    readonly stallAfterMs: number;
    readonly leaseMs: number;
  };
  readonly bulkLimit: number;
  readonly metricsRefreshMs: number;
  /** Closed dead letters: payload scrubbed, then row deleted (docs/architecture.md#retention). */
  readonly deadLetterRetention: DeadLetterRetentionConfig;
  /** Keys listed in API_KEYS (hashed), beside the ones stored in the `api_keys` table. */
  readonly apiKeys: readonly ConfiguredApiKey[];
  readonly apiKeyCacheTtlMs: number;
  /** Per API key, in each replica. */
  readonly apiRateLimit: RateLimit;
};

export function loadConfig(env: Env = process.env): DlqHandlerConfig {
  return loadServiceConfig(
    schema,
    (values, problems) => {
      const service = serviceConfig('dlq-handler', values);
      const configured = parseConfiguredApiKeys(values.API_KEYS, DLQ_SCOPES);
      problems.push(...configured.problems);
      return {
        ...service,
        kafka: {
          ...service.kafka,
          consumerGroup: values.CONSUMER_GROUP,
          sessionTimeoutMs: values.CONSUMER_SESSION_TIMEOUT_MS,
          topicRefreshMs: values.TOPIC_REFRESH_MS,
        },
        replay: {
          ratePerSecond: values.REPLAY_RATE_PER_SECOND,
          burst: values.REPLAY_BURST,
          stallAfterMs: values.REPLAY_STALL_AFTER_MS,
          leaseMs: values.REPLAY_LEASE_MS,
        },
        bulkLimit: values.BULK_LIMIT,
        metricsRefreshMs: values.METRICS_REFRESH_MS,
        deadLetterRetention: deadLetterRetentionConfig(values, problems),
        apiKeys: configured.keys,
        apiKeyCacheTtlMs: values.API_KEY_CACHE_TTL_MS,
        apiRateLimit: { ratePerSecond: values.API_RATE_PER_SECOND, burst: values.API_RATE_BURST },
      };
    },
    { service: 'dlq-handler', env },
  );
}
