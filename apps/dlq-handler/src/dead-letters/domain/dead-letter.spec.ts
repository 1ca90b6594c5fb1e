import {
  DEAD_LETTER_STATUSES,
  captureOf,
  kafkaHeaders,
  nextStatus,
  refusalOf,
  storedHeaders,
} from './dead-letter.js';

describe('captureOf', () => {
  const headers = {
    'kafka_original-topic': Buffer.from('payments.payment.v1'),
    'kafka_original-partition': Buffer.from('2'),
    'kafka_original-offset': Buffer.from('41'),
    'kafka_original-timestamp': Buffer.from('1764288000000'),
    'kafka_dlt-original-consumer-group': Buffer.from('connector-stripe'),
    'kafka_exception-fqcn': Buffer.from('TributaryError'),
    'kafka_exception-message': Buffer.from('card declined mapping missing'),
    'kafka_exception-stacktrace': Buffer.from('TributaryError: ...\n    at handler'),
    'retry_topic-attempts': Buffer.from('4'),
    'tributary-error-code': Buffer.from('MAPPING_MISSING'),
    ce_id: Buffer.from('0190a0b0-0000-7000-8000-000000000001'),
    ce_type: Buffer.from('payments.payment.succeeded'),
    'x-binary': Buffer.from([0xff, 0x00, 0xfe]),
  };

  it('reads the failure context the reliable consumer wrote', () => {
    const capture = captureOf({
      topic: 'connector-stripe.dlq',
      partition: 0,
      offset: '7',
      timestamp: '1764288060000',
      key: Buffer.from('pay_1'),
      value: Buffer.from([0, 0, 0, 0, 9, 1]),
      headers,
    });
    expect(capture).toMatchObject({
      consumerGroup: 'connector-stripe',
      originalTopic: 'payments.payment.v1',
      originalPartition: 2,
      originalOffset: '41',
      originalTimestamp: new Date(1764288000000),
      eventId: '0190a0b0-0000-7000-8000-000000000001',
      errorCode: 'MAPPING_MISSING',
      errorClass: 'TributaryError',
      attempts: 3,
      failedAt: new Date(1764288060000),
      deadLetterId: null,
      replayTopic: null,
    });
  });

  it("takes the replay topic the consumer named, only when it is one of the group's own tiers", () => {
    const record = (replayTopic: string) =>
      captureOf({
        topic: 'connector-stripe.dlq',
        partition: 0,
        offset: '8',
        timestamp: '1764288060000',
        key: null,
        value: Buffer.from('x'),
        headers: { ...headers, 'tributary-replay-topic': Buffer.from(replayTopic) },
      });
    expect(record('connector-stripe.retry.5s').replayTopic).toBe('connector-stripe.retry.5s');
    // A source topic every group reads, another group's tier, a DLQ: never a replay target.
    expect(record('payments.payment.v1').replayTopic).toBeNull();
    expect(record('connector-crm.retry.5s').replayTopic).toBeNull();
    expect(record('connector-stripe.dlq').replayTopic).toBeNull();
  });

  it('keeps a record without failure headers, with its DLQ position as its origin', () => {
    const capture = captureOf({
      topic: 'orders.dlq',
      partition: 1,
      offset: '3',
      timestamp: '1764288060000',
      key: null,
      value: Buffer.from('x'),
    });
    expect(capture).toMatchObject({
      consumerGroup: 'orders',
      originalTopic: 'orders.dlq',
      originalPartition: 1,
      originalOffset: '3',
      errorCode: 'UNKNOWN',
      attempts: 1,
    });
  });
});

describe('stored headers', () => {
  it('round-trips text, binary and repeated headers byte for byte', () => {
    const raw = {
      text: Buffer.from('héllo'),
      binary: Buffer.from([0xff, 0x00, 0xc3]),
      repeated: [Buffer.from('a'), Buffer.from([0x80])],
    };
    const stored = storedHeaders(raw);
    expect(stored).toEqual([
      { name: 'text', value: 'héllo', encoding: 'utf8' },
      { name: 'binary', value: Buffer.from([0xff, 0x00, 0xc3]).toString('base64'), encoding: 'base64' },
      { name: 'repeated', value: 'a', encoding: 'utf8' },
      { name: 'repeated', value: 'gA==', encoding: 'base64' },
    ]);
    expect(kafkaHeaders(stored)).toEqual(raw);
  });
});

describe('dead-letter status transitions', () => {
  it('replays pending rows and replays whose outcome never came, never resolved or discarded ones', () => {
    expect(nextStatus('pending', 'replay')).toBe('replaying');
    expect(nextStatus('replaying', 'replay')).toBe('replaying');
    expect(nextStatus('replay_stalled', 'replay')).toBe('replaying');
    expect(nextStatus('resolved', 'replay')).toBeUndefined();
    expect(nextStatus('discarded', 'replay')).toBeUndefined();
  });

  it('flags only a replaying row as stalled, and a stalled one still resolves or fails again', () => {
    expect(DEAD_LETTER_STATUSES.filter((s) => nextStatus(s, 'stall') !== undefined)).toEqual(['replaying']);
    expect(nextStatus('replay_stalled', 'resolve')).toBe('resolved');
    expect(nextStatus('replay_stalled', 'failAgain')).toBe('pending');
    expect(nextStatus('pending', 'resolve')).toBeUndefined();
    expect(nextStatus('discarded', 'failAgain')).toBeUndefined();
    expect(nextStatus('replaying', 'replayFailed')).toBe('pending');
  });

  it('discards pending rows and replays whose outcome never came, nothing settled', () => {
    expect(nextStatus('pending', 'discard')).toBe('discarded');
    expect(nextStatus('replaying', 'discard')).toBe('discarded');
    expect(nextStatus('replay_stalled', 'discard')).toBe('discarded');
    expect(nextStatus('resolved', 'discard')).toBeUndefined();
    expect(nextStatus('discarded', 'discard')).toBeUndefined();
  });

  it('says why a replay or discard leaves a row as it is', () => {
    expect(refusalOf('discard', { status: 'replay_stalled', replayQueued: false })).toBeUndefined();
    expect(refusalOf('discard', { status: 'discarded', replayQueued: false })).toEqual({
      code: 'DEAD_LETTER_STATE_CONFLICT',
      reason: 'it is discarded: only pending, replaying, replay_stalled dead letters can be discarded',
    });
    expect(refusalOf('discard', { status: 'replaying', replayQueued: true })).toEqual({
      code: 'DEAD_LETTER_STATE_CONFLICT',
      reason: 'its replay is queued and not sent yet',
    });
    expect(refusalOf('replay', undefined)).toEqual({
      code: 'DEAD_LETTER_NOT_FOUND',
      reason: 'no dead letter has this id',
    });
  });
});
