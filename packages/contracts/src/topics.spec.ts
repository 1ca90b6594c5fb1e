import type { TributaryError } from './errors.js';
import { eventCatalogue, eventTypes } from './generated/events.js';
import { ownershipMap } from './ownership.js';
import {
  dlqTopicFor,
  formatDelay,
  parseConsumerTopic,
  retryTopicsFor,
  topicCatalogue,
  topics,
} from './topics.js';

describe('retry and DLQ topic names', () => {
  it('follow <group>.retry.<delay> with the default 5s, 1m, 10m tiers, then <group>.dlq', () => {
    expect(retryTopicsFor('connector-stripe')).toEqual([
      { name: 'connector-stripe.retry.5s', delayMs: 5_000, tier: 1 },
      { name: 'connector-stripe.retry.1m', delayMs: 60_000, tier: 2 },
      { name: 'connector-stripe.retry.10m', delayMs: 600_000, tier: 3 },
    ]);
    expect(dlqTopicFor('connector-stripe')).toBe('connector-stripe.dlq');
  });

  it('write each delay in the largest unit that divides it', () => {
    expect([1_500, 90_000, 3_600_000, 86_400_000, 172_800_000].map(formatDelay)).toEqual([
      '1500ms',
      '90s',
      '1h',
      '1d',
      '2d',
    ]);
  });

  it('parse back into group and delay', () => {
    for (const topic of retryTopicsFor('reconciliation', [1_500, 90_000, 7_200_000])) {
      expect(parseConsumerTopic(topic.name)).toEqual({
        kind: 'retry',
        group: 'reconciliation',
        delayMs: topic.delayMs,
      });
    }
    expect(parseConsumerTopic('connector-stripe.dlq')).toEqual({ kind: 'dlq', group: 'connector-stripe' });
    expect(parseConsumerTopic('payments.payment.v1')).toBeUndefined();
  });

  it.each([
    [[], 'RETRY_TIERS_INVALID'],
    [[0], 'RETRY_TIERS_INVALID'],
    [[60_000, 5_000], 'RETRY_TIERS_INVALID'],
    [[5_000, 5_000], 'RETRY_TIERS_INVALID'],
  ])('refuse delays %j', (delays, code) => {
    expect(() => retryTopicsFor('g', delays)).toThrow(expect.objectContaining({ code }) as TributaryError);
  });

  it('refuse a group that cannot be part of a Kafka topic name', () => {
    expect(() => dlqTopicFor('')).toThrow(
      expect.objectContaining({ code: 'TOPIC_NAME_INVALID' }) as TributaryError,
    );
    expect(() => retryTopicsFor('my group')).toThrow(/cannot prefix a Kafka topic name/);
    expect(() => dlqTopicFor('x'.repeat(250))).toThrow(/is not a valid Kafka topic name/);
  });
});

describe('topic catalogue', () => {
  it('lists each event type on exactly the topic the generated catalogue sends it to', () => {
    const listed = topics.flatMap((t) => t.eventTypes.map((type) => [type, t.name]));
    expect(listed.sort()).toEqual(eventTypes.map((type) => [type, eventCatalogue[type].topic]).sort());
  });

  it('keys every event of a topic by a string field holding the aggregate id', () => {
    for (const topic of topics) {
      for (const type of topic.eventTypes) {
        const fields = eventCatalogue[type].schema.fields as { name: string; type: unknown }[];
        expect([type, fields.find((f) => f.name === topic.key.field)?.type]).toEqual([type, 'string']);
      }
    }
  });

  it('names each topic by its own key and gives it partitions, retention and the owning team of its entity', () => {
    for (const [key, topic] of Object.entries(topicCatalogue)) {
      expect(topic.name).toBe(key);
      expect(topic.partitions).toBeGreaterThan(0);
      expect(topic.retentionMs).toBeGreaterThanOrEqual(7 * 24 * 3600 * 1000);
      const owner = Object.values(ownershipMap).find((o) => o.topic === topic.name);
      expect([topic.name, topic.owningTeam]).toEqual([topic.name, owner?.owningTeam]);
    }
  });
});
