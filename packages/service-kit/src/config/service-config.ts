import type { TracingOptions } from '@tributary/observability';
import { parseDelay } from '@tributary/kafka';
import { inboxRetentionFloorFor, retentionConfigOf } from '@tributary/persistence';
import type { RetentionConfig } from '@tributary/persistence';
import type { z } from 'zod';
import { ConfigError } from './config-error.js';
import type { Environment } from './environment.js';
import { tracingConfig } from './tracing-env.js';
import type { LOG_LEVELS, backboneEnv, consumerEnv, serviceEnv } from './env.js';

export type LogLevel = (typeof LOG_LEVELS)[number];

/** What the process itself is configured with. */
export interface ProcessConfig {
  /** App name: logs, metrics, the Kafka client id and Postgres' application_name carry it. */
  readonly service: string;
  /** TRIBUTARY_ENV: which provider credentials may run here (environment.ts). */
  readonly environment: Environment;
  readonly port: number;
  readonly logLevel: LogLevel;
  readonly shutdownTimeoutMs: number;
  readonly bodyLimitBytes: number;
  /** OpenTelemetry (OTEL_* variables); absent: no SDK (OTEL_SDK_DISABLED, or a config built by hand). */
  readonly tracing?: TracingOptions;
}

export interface DatabaseConfig {
  readonly url: string;
  readonly schema: string;
  readonly poolSize: number;
}

export interface KafkaConfig {
  readonly brokers: readonly string[];
  readonly topicPrefix: string;
  readonly ensureTopics: boolean;
}

/** What the backbone factory needs: Postgres, Kafka, the registry, the relay. */
export interface BackboneConfig {
  readonly database: DatabaseConfig;
  readonly kafka: KafkaConfig;
  readonly schemaRegistryUrl: string;
  readonly outboxBatchSize: number;
  readonly outboxShards: number;
  /** SCHEMA_AUTO_REGISTER, resolved against TRIBUTARY_ENV. Absent (a config built by hand): on. */
  readonly schemaAutoRegister?: boolean;
  /** Inbox and audit log horizons. Absent (a config built by hand): the defaults. */
  readonly retention?: RetentionConfig;
}

export interface ConsumerConfig {
  readonly group: string;
  readonly retryTiers: readonly string[];
  readonly sessionTimeoutMs: number;
  /** docs/architecture.md#ordering-and-concurrency */
  readonly ordering: 'key' | 'none';
  readonly onDeadLetter: 'skip' | 'block';
}

/** The config every backbone service starts from; apps add their own fields beside these. */
export type ServiceConfig = ProcessConfig & BackboneConfig;

type ServiceValues = z.output<z.ZodObject<ReturnType<typeof serviceEnv>>>;
type BackboneValues = z.output<z.ZodObject<typeof backboneEnv>>;
type ConsumerValues = z.output<z.ZodObject<ReturnType<typeof consumerEnv>>>;

/** Throws a ConfigError for OTEL_* values that parse but cannot work together (otlp without an endpoint). */
export function processConfig(service: string, values: ServiceValues): ProcessConfig {
  const problems: string[] = [];
  const tracing = tracingConfig(service, values, problems);
  if (problems.length > 0) throw new ConfigError(service, problems);
  return {
    service,
    environment: values.TRIBUTARY_ENV,
    port: values.PORT,
    logLevel: values.LOG_LEVEL,
    shutdownTimeoutMs: values.SHUTDOWN_TIMEOUT_MS,
    bodyLimitBytes: values.BODY_LIMIT_BYTES,
    ...(tracing ? { tracing } : {}),
  };
}

/**
 * `defaultSchema`: the Postgres schema when DATABASE_SCHEMA is unset (a connector's own, say). The declared
 * environment decides SCHEMA_AUTO_REGISTER's default.
 */
export function backboneConfig(
  values: BackboneValues & { readonly TRIBUTARY_ENV?: Environment },
  defaultSchema = 'public',
): BackboneConfig {
  return {
    database: {
      url: values.DATABASE_URL,
      schema: values.DATABASE_SCHEMA ?? defaultSchema,
      poolSize: values.DATABASE_POOL_SIZE,
    },
    kafka: {
      brokers: values.KAFKA_BROKERS.split(',')
        .map((broker) => broker.trim())
        .filter(Boolean),
      topicPrefix: values.KAFKA_TOPIC_PREFIX,
      ensureTopics: values.ENSURE_TOPICS,
    },
    schemaRegistryUrl: values.SCHEMA_REGISTRY_URL,
    outboxBatchSize: values.OUTBOX_BATCH_SIZE,
    outboxShards: values.OUTBOX_SHARDS,
    schemaAutoRegister: values.SCHEMA_AUTO_REGISTER ?? values.TRIBUTARY_ENV !== 'production',
    retention: retentionConfigOf(values),
  };
}

export function serviceConfig(
  service: string,
  values: ServiceValues & BackboneValues,
  defaultSchema?: string,
): ServiceConfig {
  return { ...processConfig(service, values), ...backboneConfig(values, defaultSchema) };
}

/**
 * `defaultGroup`: the group when CONSUMER_GROUP is unset (the service's name in every app). With the backbone's
 * variables beside, the inbox must outlive this group's retry tiers too: a tier of `2d` keeps its records
 * 20 days, longer than the default floor counts.
 */
export function consumerConfig(
  values: ConsumerValues & { readonly INBOX_RETENTION_DAYS?: number },
  defaultGroup: string,
): ConsumerConfig {
  const problems: string[] = [];
  for (const delay of values.RETRY_TIERS) {
    try {
      parseDelay(delay);
    } catch (error) {
      problems.push(`RETRY_TIERS: ${(error as Error).message}`);
    }
  }
  if (problems.length === 0 && values.INBOX_RETENTION_DAYS !== undefined) {
    const floorDays = Math.ceil(inboxRetentionFloorFor(values.RETRY_TIERS) / 86_400_000);
    if (values.INBOX_RETENTION_DAYS < floorDays)
      problems.push(
        `INBOX_RETENTION_DAYS: at least ${floorDays} with RETRY_TIERS ${values.RETRY_TIERS.join(',')} (the longest topic retention plus the longest tier's); a redelivery after a shorter one would apply twice`,
      );
  }
  if (problems.length > 0) throw new ConfigError(defaultGroup, problems);
  return {
    group: values.CONSUMER_GROUP ?? defaultGroup,
    retryTiers: values.RETRY_TIERS,
    sessionTimeoutMs: values.CONSUMER_SESSION_TIMEOUT_MS,
    ordering: values.CONSUMER_ORDERING,
    onDeadLetter: values.CONSUMER_ON_DEAD_LETTER,
  };
}
