import { parseConsumerTopic } from '@tributary/kafka';

/** Dead-letter topics: `<group>.dlq`, as the reliable consumer names them. */
export const DLQ_TOPIC_PATTERN = /\.dlq$/;
/** Resolution signals of the proposed consumer hook: `<group>.dlq.resolved` (see resolution.ts). */
export const RESOLVED_TOPIC_PATTERN = /\.dlq\.resolved$/;

export function resolvedTopicName(group: string): string {
  return `${group}.dlq.resolved`;
}

/** The topics this handler reads, out of a cluster's topic list, sorted. */
export function topicsToRead(all: readonly string[]): string[] {
  return all
    .filter(
      (topic) => (DLQ_TOPIC_PATTERN.test(topic) && topic.length > 4) || RESOLVED_TOPIC_PATTERN.test(topic),
    )
    .sort();
}

/** True when `next` names a topic `current` does not (topics that disappear need no re-subscribe). */
export function hasNewTopics(current: readonly string[], next: readonly string[]): boolean {
  const known = new Set(current);
  return next.some((topic) => !known.has(topic));
}

/**
 * Where a group's replay goes: its first retry tier. The handler does not know each group's configured tier
 * list, so it reads it off the cluster: the group's `<group>.retry.<delay>` topic with the shortest delay,
 * which is the first tier in every configuration the reliable consumer accepts in practice (tiers grow).
 */
export function firstRetryTiers(all: readonly string[]): Map<string, string> {
  const best = new Map<string, { topic: string; delayMs: number }>();
  for (const topic of all) {
    const parsed = parseConsumerTopic(topic);
    if (parsed?.kind !== 'retry') continue;
    const current = best.get(parsed.group);
    if (!current || parsed.delayMs < current.delayMs)
      best.set(parsed.group, { topic, delayMs: parsed.delayMs });
  }
  return new Map([...best].map(([group, tier]) => [group, tier.topic]));
}
