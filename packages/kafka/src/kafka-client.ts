import type { ConnectionOptions } from 'node:tls';
import { setTimeout as delay } from 'node:timers/promises';
import { TributaryError, topicCatalogue } from '@tributary/contracts';
import type { EventTopic } from '@tributary/contracts';
import { Kafka, logLevel } from 'kafkajs';
import type { Admin, ITopicConfig, LogEntry, SASLOptions } from 'kafkajs';
import { KafkaErrorCodes } from './error-codes.js';
import { errorFields, stderrLogger } from './logger.js';
import type { Logger } from './logger.js';

export interface KafkaClientOptions {
  clientId: string;
  /** `host:port` list, or the comma-separated form used in environment variables. */
  brokers: string | readonly string[];
  logger?: Logger;
  /** TCP connect timeout. kafkajs' 1 s default is too tight for a loaded CI machine. */
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  ssl?: boolean | ConnectionOptions;
  sasl?: SASLOptions;
}

export function parseBrokers(brokers: string | readonly string[]): string[] {
  const list = (typeof brokers === 'string' ? brokers.split(',') : [...brokers])
    .map((b) => b.trim())
    .filter(Boolean);
  if (list.length === 0) throw new Error('Kafka brokers: at least one host:port is required');
  return list;
}

/** The one way to build a kafkajs client: consistent timeouts and retry, logs through our logger. */
export function createKafkaClient(options: KafkaClientOptions): Kafka {
  muteKafkajsNegativeTimeoutWarning();
  const logger = options.logger ?? stderrLogger;
  return new Kafka({
    clientId: options.clientId,
    brokers: parseBrokers(options.brokers),
    connectionTimeout: options.connectionTimeoutMs ?? 5_000,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    // kafkajs retries a failed request 5 times by default; 8 with a 30 s ceiling rides out a broker restart.
    retry: { initialRetryTime: 300, maxRetryTime: 30_000, retries: 8 },
    ...(options.ssl !== undefined ? { ssl: options.ssl } : {}),
    ...(options.sasl !== undefined ? { sasl: options.sasl } : {}),
    logLevel: logLevel.INFO,
    logCreator: () => (entry) => forwardLog(logger, entry),
  });
}

/**
 * kafkajs messages that describe a deliberate choice or a transient state, not a problem:
 * - bounded producer retries: correctness rests on the inbox, not on kafkajs' idempotence
 *   (docs/architecture.md#exactly-once);
 * - a partition leader not elected yet right after topic creation: the client retries it.
 */
const EXPECTED = [/^Limiting retries for the idempotent producer/];
const TRANSIENT_ERRORS = [
  'This server is not the leader for that topic-partition',
  'The coordinator is loading',
  'The group coordinator is not available',
];

function forwardLog(logger: Logger, { namespace, level, log }: LogEntry): void {
  const { message, timestamp: _timestamp, logger: _name, ...fields } = log;
  const line = { component: 'kafkajs', namespace, ...fields };
  const error = typeof fields.error === 'string' ? fields.error : '';
  if (
    EXPECTED.some((pattern) => pattern.test(message)) ||
    TRANSIENT_ERRORS.some((e) => error.startsWith(e))
  ) {
    logger.debug(line, message);
    return;
  }
  switch (level) {
    case logLevel.ERROR:
    case logLevel.NOTHING:
      logger.error(line, message);
      break;
    case logLevel.WARN:
      logger.warn(line, message);
      break;
    case logLevel.INFO:
      logger.info(line, message);
      break;
    default:
      logger.debug(line, message);
  }
}

export interface TopicSpec {
  topic: string;
  numPartitions?: number;
  replicationFactor?: number;
  /** Topic configs, e.g. `{ 'retention.ms': '604800000' }`. */
  configs?: Readonly<Record<string, string>>;
}

/**
 * Creates the topics that do not exist yet and waits until every partition has a leader, so producing right
 * after works even where broker-side auto creation is off (as it must be in production). Existing topics
 * are left as they are: this never alters partitions or configs. Resolves to the names it created.
 */
export async function ensureTopics(
  kafka: Kafka,
  topics: readonly (TopicSpec | string)[],
  options: { leaderTimeoutMs?: number } = {},
): Promise<string[]> {
  const specs = topics.map((t) => (typeof t === 'string' ? { topic: t } : t));
  if (specs.length === 0) return [];
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((s) => !existing.has(s.topic));
    if (missing.length === 0) return [];
    const request: ITopicConfig[] = missing.map((s) => ({
      topic: s.topic,
      numPartitions: s.numPartitions ?? 1,
      replicationFactor: s.replicationFactor ?? -1,
      configEntries: Object.entries(s.configs ?? {}).map(([name, value]) => ({ name, value })),
    }));
    // Another process may create the same topics concurrently; kafkajs resolves false when all already
    // exist. Its waitForLeaders retries only LEADER_NOT_AVAILABLE, while a KRaft controller can answer
    // UNKNOWN_TOPIC_OR_PARTITION for a moment after creating a topic: that one is waited out below.
    await admin.createTopics({ topics: request, waitForLeaders: true }).catch((error: unknown) => {
      if ((error as { type?: unknown }).type !== 'UNKNOWN_TOPIC_OR_PARTITION') throw error;
    });
    await waitForLeaders(
      admin,
      missing.map((s) => s.topic),
      options.leaderTimeoutMs ?? 30_000,
    );
    return missing.map((s) => s.topic);
  } finally {
    await admin
      .disconnect()
      .catch((error: unknown) => stderrLogger.warn(errorFields(error), 'admin disconnect failed'));
  }
}

async function waitForLeaders(admin: Admin, topics: readonly string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ready = await admin
      .fetchTopicMetadata({ topics: [...topics] })
      .then((metadata) =>
        metadata.topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0)),
      )
      .catch(() => false);
    if (ready) return;
    if (Date.now() > deadline) {
      throw new TributaryError(
        KafkaErrorCodes.TOPIC_NOT_READY,
        `topics have no partition leaders after ${timeoutMs} ms: ${topics.join(', ')}`,
        { retriable: true },
      );
    }
    await delay(100);
  }
}

/** Partition count per topic, for sizing derived topics (retry tiers) like their sources. */
export async function partitionCounts(kafka: Kafka, topics: readonly string[]): Promise<Map<string, number>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    // Asking metadata for a missing topic makes kafkajs retry for a long while; say what is missing instead.
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length > 0) throw new Error(`Kafka topic(s) not found: ${missing.join(', ')}`);
    const { topics: metadata } = await admin.fetchTopicMetadata({ topics: [...topics] });
    return new Map(metadata.map((t) => [t.name, t.partitions.length]));
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

let warningFilterInstalled = false;

/**
 * kafkajs 2.2.4 arms a timer with a negative delay in its request queue (kafkajs#1751); Node 24 warns on
 * every such timer, burying real warnings in app logs. This drops exactly that warning and prints the rest
 * as Node would.
 */
function muteKafkajsNegativeTimeoutWarning(): void {
  if (warningFilterInstalled) return;
  warningFilterInstalled = true;
  const previous = process.listeners('warning');
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (warning.name === 'TimeoutNegativeWarning') return;
    for (const listener of previous) listener(warning);
  });
}

/**
 * Creates the catalogue topics (docs/architecture.md#topics) that do not exist yet, with their partitions and
 * retention: what `tributary topics ensure` provisions, what ingestion may do at boot, and what tests need
 * before starting a service that consumes them. `prefix` namespaces them (tests, shared clusters).
 */
export async function ensureCatalogueTopics(
  kafka: Kafka,
  options: { prefix?: string; topics?: readonly EventTopic[] } = {},
): Promise<string[]> {
  const wanted = options.topics ?? (Object.keys(topicCatalogue) as EventTopic[]);
  return ensureTopics(
    kafka,
    wanted.map((name) => ({
      topic: `${options.prefix ?? ''}${name}`,
      numPartitions: topicCatalogue[name].partitions,
      configs: { 'retention.ms': String(topicCatalogue[name].retentionMs) },
    })),
  );
}
