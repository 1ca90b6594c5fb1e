import { uniqueName } from './unique-name.js';

describe('uniqueName', () => {
  it('keeps the prefix and is unique across many calls in one process', () => {
    const names = Array.from({ length: 2_000 }, () => uniqueName('orders'));
    expect(new Set(names).size).toBe(names.length);
    expect(names.every((n) => n.startsWith('orders_'))).toBe(true);
  });

  it('is valid as a Kafka topic and fits a Postgres identifier', () => {
    const name = uniqueName('Payments.Payment-Events_with_a_very_long_prefix_that_goes_on_and_on');
    expect(name).toMatch(/^[a-z0-9._-]+$/);
    expect(name.length).toBeLessThanOrEqual(63);
  });

  it('refuses a prefix that would not be a valid name', () => {
    expect(() => uniqueName('bad name')).toThrow(/prefix/);
    expect(() => uniqueName('1starts-with-digit')).toThrow(/prefix/);
  });
});
