import {
  dlqTopicName,
  firstRetryTopic,
  parseDelay,
  retryTiersFor,
  retryTopicName,
  retryTopicSpecs,
  parseConsumerTopic,
} from './retry-topics.js';

describe('retry topic naming', () => {
  it('names tiers <group>.retry.<delay> and the DLQ <group>.dlq', () => {
    expect(retryTopicName('connector-stripe', '5s')).toBe('connector-stripe.retry.5s');
    expect(dlqTopicName('connector-stripe')).toBe('connector-stripe.dlq');
    expect(retryTiersFor('connector-stripe').map((t) => [t.topic, t.delayMs])).toEqual([
      ['connector-stripe.retry.5s', 5_000],
      ['connector-stripe.retry.1m', 60_000],
      ['connector-stripe.retry.10m', 600_000],
    ]);
  });

  it('replays into the first tier of the group', () => {
    expect(firstRetryTopic('dlq-demo')).toBe('dlq-demo.retry.5s');
    expect(firstRetryTopic('dlq-demo', ['1s', '2s'])).toBe('dlq-demo.retry.1s');
  });

  it.each([
    ['250ms', 250],
    ['1s', 1_000],
    ['10m', 600_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
  ])('parses %s', (delay, ms) => expect(parseDelay(delay)).toBe(ms));

  it.each(['', '5', '0s', '1.5s', '-1s', '5 s', '5sec'])('rejects delay %j', (delay) => {
    expect(() => parseDelay(delay)).toThrow(/positive integer/);
  });

  it('refuses groups that cannot name a topic and repeated delays', () => {
    expect(() => dlqTopicName('my group')).toThrow(/cannot name topics/);
    expect(() => retryTiersFor('g', ['1s', '1s'])).toThrow(/repeat/);
  });

  it('gives tiers retention far beyond their delay and sizes them as asked', () => {
    const specs = retryTopicSpecs('g', ['1s', '30d'], { numPartitions: 6 });
    expect(specs.map((s) => s.topic)).toEqual(['g.retry.1s', 'g.retry.30d', 'g.dlq', 'g.dlq.resolved']);
    expect(specs.every((s) => s.numPartitions === 6)).toBe(true);
    expect(specs[0]!.configs!['retention.ms']).toBe(String(7 * 86_400_000));
    expect(specs[1]!.configs!['retention.ms']).toBe(String(300 * 86_400_000));
  });
});

describe('parseConsumerTopic', () => {
  it('reads the group and delay back out of tier and DLQ names', () => {
    for (const tier of retryTiersFor('connector-stripe.v2', ['1500ms', '90s', '2h'])) {
      expect(parseConsumerTopic(tier.topic)).toEqual({
        kind: 'retry',
        group: 'connector-stripe.v2',
        delay: tier.delay,
        delayMs: tier.delayMs,
      });
    }
    expect(parseConsumerTopic(dlqTopicName('connector-stripe'))).toEqual({
      kind: 'dlq',
      group: 'connector-stripe',
    });
  });

  it('leaves other topics alone', () => {
    for (const topic of ['commerce.order.v1', '.dlq', 'g.retry.0s', 'g.retry.5x', 'g.retry.']) {
      expect(parseConsumerTopic(topic)).toBeUndefined();
    }
  });
});
