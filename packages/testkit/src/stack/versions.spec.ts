import { StackError } from './errors.js';
import { DEFAULT_KAFKA_VERSION, resolveKafkaVersion } from './versions.js';

describe('resolveKafkaVersion', () => {
  it('defaults to Kafka 3.9', () => {
    expect(resolveKafkaVersion(undefined)).toBe(DEFAULT_KAFKA_VERSION);
    expect(resolveKafkaVersion(' ')).toBe('3.9.1');
  });

  it('accepts the pinned version or its minor line', () => {
    expect(resolveKafkaVersion('4.1.1')).toBe('4.1.1');
    expect(resolveKafkaVersion('4.1')).toBe('4.1.1');
    expect(resolveKafkaVersion('4.1.x')).toBe('4.1.1');
    expect(resolveKafkaVersion('3.9')).toBe('3.9.1');
    expect(resolveKafkaVersion('4')).toBe('4.1.1');
  });

  it('refuses versions that are not pinned, naming the ones that are', () => {
    let error: unknown;
    try {
      resolveKafkaVersion('4.0.0');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StackError);
    expect((error as StackError).code).toBe('STACK_UNSUPPORTED_KAFKA_VERSION');
    expect((error as StackError).message).toMatch(/3\.9\.1, 4\.1\.1/);
    expect(() => resolveKafkaVersion('4.0')).toThrow(StackError);
  });
});
