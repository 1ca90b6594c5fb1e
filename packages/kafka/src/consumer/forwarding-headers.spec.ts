import { TributaryError } from '@tributary/contracts';
import { ParkingHeaders, deliveryAttempt, forwardingHeaders, retryDueAt } from './forwarding-headers.js';
import type { ForwardingInput } from './forwarding-headers.js';

const base: ForwardingInput = {
  headers: { ce_id: Buffer.from('e-1'), 'binary-thing': Buffer.from([0xff, 0x00, 0xfe]) },
  topic: 'commerce.order.v1',
  partition: 2,
  offset: '41',
  timestamp: '1700000000000',
  groupId: 'billing',
  error: new TributaryError('PROVIDER_TIMEOUT', 'provider timed out', { retriable: true }),
  code: 'PROVIDER_TIMEOUT',
  attempt: 1,
  dueAt: 1700000005000,
};

describe('retry and DLQ headers', () => {
  it('writes Spring Kafka names as decimal strings on the first hop', () => {
    const headers = forwardingHeaders(base);
    expect(headers).toMatchObject({
      'kafka_original-topic': 'commerce.order.v1',
      'kafka_original-partition': '2',
      'kafka_original-offset': '41',
      'kafka_original-timestamp': '1700000000000',
      'kafka_dlt-original-consumer-group': 'billing',
      'kafka_exception-fqcn': 'TributaryError',
      'kafka_exception-message': 'provider timed out',
      'retry_topic-attempts': '2',
      'retry_topic-backoff-timestamp': '1700000005000',
      'tributary-error-code': 'PROVIDER_TIMEOUT',
    });
    expect(String(headers['kafka_exception-stacktrace'])).toContain('provider timed out');
  });

  it('writes what waits behind the record on its own hop only', () => {
    const replayed = {
      ...base,
      headers: {
        ...base.headers,
        [ParkingHeaders.parkedBehind]: '3',
        [ParkingHeaders.parkedFate]: 'blocked',
      },
      dueAt: undefined,
    };
    expect(forwardingHeaders(replayed)[ParkingHeaders.parkedBehind]).toBeUndefined();
    const now = forwardingHeaders({ ...replayed, extra: { [ParkingHeaders.parkedBehind]: '5' } });
    expect(now[ParkingHeaders.parkedBehind]).toBe('5');
    expect(now[ParkingHeaders.parkedFate]).toBeUndefined();
  });

  it('forwards other headers byte for byte, binary ones included', () => {
    const headers = forwardingHeaders(base);
    expect(headers.ce_id).toEqual(Buffer.from('e-1'));
    expect(headers['binary-thing']).toEqual(Buffer.from([0xff, 0x00, 0xfe]));
  });

  it('keeps the first original headers and the last exception on a later hop; the DLQ drops the due time', () => {
    const first = forwardingHeaders(base);
    const asConsumed = Object.fromEntries(Object.entries(first).map(([k, v]) => [k, Buffer.from(String(v))]));
    asConsumed.ce_id = Buffer.from('e-1');
    const second = forwardingHeaders({
      ...base,
      headers: asConsumed,
      topic: 'billing.retry.5s',
      partition: 0,
      offset: '7',
      timestamp: '1700000009999',
      error: new RangeError('mapping bug'),
      code: 'MAPPING_BUG',
      attempt: deliveryAttempt(asConsumed),
      dueAt: undefined,
    });
    const text = (name: string) => String(second[name]);
    expect(text('kafka_original-topic')).toBe('commerce.order.v1');
    expect(text('kafka_original-partition')).toBe('2');
    expect(text('kafka_original-offset')).toBe('41');
    expect(text('kafka_original-timestamp')).toBe('1700000000000');
    expect(text('kafka_exception-fqcn')).toBe('RangeError');
    expect(text('kafka_exception-message')).toBe('mapping bug');
    expect(text('tributary-error-code')).toBe('MAPPING_BUG');
    expect(text('retry_topic-attempts')).toBe('3');
    expect(second).not.toHaveProperty('retry_topic-backoff-timestamp');
  });

  it('names the tier a replay must go to on the DLQ hop only, overwriting an earlier one', () => {
    expect(forwardingHeaders({ ...base, replayTopic: 'billing.retry.5s' })).not.toHaveProperty(
      'tributary-replay-topic',
    );
    const dead = forwardingHeaders({
      ...base,
      headers: { ...base.headers, 'tributary-replay-topic': Buffer.from('old.retry.1m') },
      dueAt: undefined,
      replayTopic: 'billing.retry.5s',
    });
    expect(dead['tributary-replay-topic']).toBe('billing.retry.5s');
  });

  it('truncates huge exception text and describes non-Error throws', () => {
    const headers = forwardingHeaders({ ...base, error: { weird: 'x'.repeat(50_000) } });
    expect(headers['kafka_exception-fqcn']).toBe('object');
    expect(String(headers['kafka_exception-message']).length).toBeLessThanOrEqual(2_000);
    expect(String(headers['kafka_exception-stacktrace']).length).toBeLessThanOrEqual(8_000);
  });

  it('reads attempts and due time, tolerating absent or malformed values', () => {
    expect(deliveryAttempt({})).toBe(1);
    expect(deliveryAttempt({ 'retry_topic-attempts': Buffer.from('3') })).toBe(3);
    expect(deliveryAttempt({ 'retry_topic-attempts': Buffer.from('x') })).toBe(1);
    expect(retryDueAt({ 'retry_topic-backoff-timestamp': Buffer.from('1700000005000') })).toBe(1700000005000);
    expect(retryDueAt({ 'retry_topic-backoff-timestamp': Buffer.from([0, 0, 1]) })).toBeUndefined();
    expect(retryDueAt(undefined)).toBeUndefined();
  });
});
