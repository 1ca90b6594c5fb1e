import { firstRetryTiers, hasNewTopics, topicsToRead } from './dlq-topics.js';

describe('DLQ topics', () => {
  const cluster = [
    'payments.payment.v1',
    'connector-stripe.retry.1m',
    'connector-stripe.retry.5s',
    'connector-stripe.retry.10m',
    'connector-stripe.dlq',
    'connector-stripe.dlq.resolved',
    'example-service.retry.2s',
    'example-service.dlq',
    '.dlq',
    'dlq',
  ];

  it('reads every group DLQ and resolution topic, nothing else', () => {
    expect(topicsToRead(cluster)).toEqual([
      'connector-stripe.dlq',
      'connector-stripe.dlq.resolved',
      'example-service.dlq',
    ]);
  });

  it('re-subscribes only when a topic appears', () => {
    expect(hasNewTopics(['a.dlq'], ['a.dlq'])).toBe(false);
    expect(hasNewTopics(['a.dlq', 'b.dlq'], ['a.dlq'])).toBe(false);
    expect(hasNewTopics(['a.dlq'], ['a.dlq', 'b.dlq'])).toBe(true);
  });

  it("finds each group's first (shortest) retry tier", () => {
    expect(firstRetryTiers(cluster)).toEqual(
      new Map([
        ['connector-stripe', 'connector-stripe.retry.5s'],
        ['example-service', 'example-service.retry.2s'],
      ]),
    );
  });
});
