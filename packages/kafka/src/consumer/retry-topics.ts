import type { TopicSpec } from '../kafka-client.js';

/**
 * Retry tier and dead-letter topic naming (docs/architecture.md#retries-and-dead-letters). Tiers belong to
 * one consumer group, so only that group re-reads them: `<group>.retry.<delay>` in the order given, then
 * `<group>.dlq`. Examples: `connector-stripe.retry.5s`, `connector-stripe.retry.1m`,
 * `connector-stripe.retry.10m`, `connector-stripe.dlq`. The delay is part of the name exactly as written, so
 * '60s' and '1m' are different topics: pick one spelling and keep it.
 */
export const DEFAULT_RETRY_TIERS: readonly string[] = ['5s', '1m', '10m'];

export interface RetryTier {
  /** As written in the topic name, e.g. `5s`. */
  readonly delay: string;
  readonly delayMs: number;
  readonly topic: string;
}

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DELAY = /^([1-9]\d*)(ms|s|m|h|d)$/;
const TOPIC_NAME = /^[a-zA-Z0-9._-]+$/;

/** `250ms`, `5s`, `1m`, `10m`, `2h`, `1d` → milliseconds. */
export function parseDelay(delay: string): number {
  const match = DELAY.exec(delay);
  if (!match) throw new Error(`retry delay "${delay}" is not of the form <positive integer><ms|s|m|h|d>`);
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

function assertTopicSafe(groupId: string): void {
  // Kafka topic names allow 249 characters; the longest suffix we add is short, so leave room for it.
  if (!TOPIC_NAME.test(groupId) || groupId.length > 200) {
    throw new Error(
      `consumer group "${groupId}" cannot name topics: use [a-zA-Z0-9._-], at most 200 characters`,
    );
  }
}

export function retryTopicName(groupId: string, delay: string): string {
  assertTopicSafe(groupId);
  parseDelay(delay);
  return `${groupId}.retry.${delay}`;
}

export function dlqTopicName(groupId: string): string {
  assertTopicSafe(groupId);
  return `${groupId}.dlq`;
}

/** Recognises a retry tier or DLQ topic name and returns its consumer group (and tier delay). */
export function parseConsumerTopic(
  topic: string,
):
  | { kind: 'retry'; group: string; delay: string; delayMs: number }
  | { kind: 'dlq'; group: string }
  | undefined {
  if (topic.endsWith('.dlq') && topic.length > '.dlq'.length)
    return { kind: 'dlq', group: topic.slice(0, -4) };
  const match = /^(.+)\.retry\.([1-9]\d*(?:ms|s|m|h|d))$/.exec(topic);
  if (!match) return undefined;
  const [, group = '', delay = ''] = match;
  return { kind: 'retry', group, delay, delayMs: parseDelay(delay) };
}

/**
 * Where a consumer reports that it processed a record replayed from its DLQ (`tributary-dead-letter-id`
 * header), so the dlq-handler can mark that dead letter resolved on a positive signal.
 */
export function dlqResolvedTopicName(groupId: string): string {
  return `${dlqTopicName(groupId)}.resolved`;
}

/** Where a DLQ replay goes: the group's first tier, not the original topic (other groups already had it). */
export function firstRetryTopic(groupId: string, delays: readonly string[] = DEFAULT_RETRY_TIERS): string {
  const first = delays[0];
  if (first === undefined) throw new Error('at least one retry tier is needed to replay');
  return retryTopicName(groupId, first);
}

export function retryTiersFor(groupId: string, delays: readonly string[] = DEFAULT_RETRY_TIERS): RetryTier[] {
  if (new Set(delays).size !== delays.length)
    throw new Error(`retry tiers repeat a delay: ${delays.join(', ')}`);
  return delays.map((delay) => ({
    delay,
    delayMs: parseDelay(delay),
    topic: retryTopicName(groupId, delay),
  }));
}

const WEEK_MS = 7 * 86_400_000;

/**
 * How long a retry tier of `delay` keeps its records: a week or ten times its delay, whichever is longer, so a
 * stopped consumer has time to come back. A group's inbox must outlive it (persistence's retention floor).
 */
export function retryTierRetentionMs(delay: string): number {
  return Math.max(WEEK_MS, parseDelay(delay) * 10);
}

/**
 * Topic specs for a group's tiers (kept `retryTierRetentionMs`), its DLQ and the DLQ's resolution signals; the
 * DLQ keeps records for 30 days while the dlq-handler copies them to Postgres.
 */
export function retryTopicSpecs(
  groupId: string,
  delays: readonly string[] = DEFAULT_RETRY_TIERS,
  options: { numPartitions?: number; replicationFactor?: number } = {},
): TopicSpec[] {
  const common = {
    numPartitions: options.numPartitions ?? 1,
    ...(options.replicationFactor !== undefined ? { replicationFactor: options.replicationFactor } : {}),
  };
  return [
    ...retryTiersFor(groupId, delays).map((tier) => ({
      topic: tier.topic,
      ...common,
      configs: { 'retention.ms': String(retryTierRetentionMs(tier.delay)) },
    })),
    { topic: dlqTopicName(groupId), ...common, configs: { 'retention.ms': String(30 * 86_400_000) } },
    { topic: dlqResolvedTopicName(groupId), ...common, configs: { 'retention.ms': String(WEEK_MS) } },
  ];
}
