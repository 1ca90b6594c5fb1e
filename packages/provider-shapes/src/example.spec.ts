import { createRedactor } from '@tributary/observability';
import { MAX_EXAMPLE_BYTES, exampleOf } from './example.js';

/** Replaces the value of every member named in `names`, at any depth, like the platform's redactors. */
const redactNames =
  (...names: string[]) =>
  (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(redactNames(...names));
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.entries(value).map(([name, item]) => [
        name,
        names.includes(name) ? '[REDACTED]' : redactNames(...names)(item),
      ]),
    );
  };

const keep = (value: unknown) => value;

describe('exampleOf', () => {
  it('replaces personal data with what the redactor gives, keeping the rest', () => {
    const body = { id: 'cus_1', email: 'ada@example.com', address: { line1: '1 Main St', country: 'GB' } };
    const example = JSON.parse(exampleOf(body, redactNames('email', 'line1')));
    expect(example).toEqual({
      id: 'cus_1',
      email: '[REDACTED]',
      address: { line1: '[REDACTED]', country: 'GB' },
    });
  });

  it("redacts the ownership map's personal data fields and secrets with the platform's redactor", () => {
    const body = {
      id: 'cus_1',
      email: 'ada@example.com',
      client_secret: 'pi_1_secret_abc',
      shipping: { destination: { line1: '1 Main St', city: 'London' } },
    };
    const example = exampleOf(body, createRedactor());
    expect(JSON.parse(example)).toEqual({
      id: 'cus_1',
      email: '[REDACTED]',
      client_secret: '[REDACTED]',
      shipping: { destination: { line1: '[REDACTED]', city: 'London' } },
    });
  });

  it('keeps the first two elements of an array and says how many more there were', () => {
    const example = JSON.parse(exampleOf({ items: [1, 2, 3, 4, 5] }, keep));
    expect(example).toEqual({ items: [1, 2, '… 3 more'] });
  });

  it('shortens strings longer than 200 characters', () => {
    const example = JSON.parse(exampleOf({ description: 'd'.repeat(500), short: 'ok' }, keep));
    expect(example).toEqual({ description: `${'d'.repeat(200)}…`, short: 'ok' });
  });

  it('keeps a member named __proto__ as a member', () => {
    const body: unknown = JSON.parse('{"__proto__":{"a":1},"b":2}');
    expect(exampleOf(body, keep)).toBe('{"__proto__":{"a":1},"b":2}');
  });

  it('cuts a huge body to valid JSON of at most MAX_EXAMPLE_BYTES', () => {
    const huge = {
      data: Array.from({ length: 500 }, (_, i) => ({
        id: `obj_${i}`,
        description: 'é'.repeat(1_000),
        lines: Array.from({ length: 50 }, (_, j) => ({ j, note: 'n'.repeat(300) })),
      })),
      metadata: Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`key_${i}`, 'v'.repeat(100)])),
    };
    const example = exampleOf(huge, keep);
    expect(Buffer.byteLength(example)).toBeLessThanOrEqual(MAX_EXAMPLE_BYTES);
    expect(() => JSON.parse(example)).not.toThrow();
    expect(JSON.parse(example)).toMatchObject({ metadata: { key_0: `${'v'.repeat(40)}…` } });
  });

  it('stays valid and bounded when no cut fits: too many members at the top', () => {
    const wide = Object.fromEntries(Array.from({ length: 2_000 }, (_, i) => [`member_${i}`, i]));
    const example = exampleOf(wide, keep);
    expect(Buffer.byteLength(example)).toBeLessThanOrEqual(MAX_EXAMPLE_BYTES);
    expect(JSON.parse(example)).toEqual({ '…': `example over ${MAX_EXAMPLE_BYTES} bytes even when cut` });
  });

  it('leaves no part of a personal value longer than the cut length, even at the shortest cut', () => {
    const name = 'Zebedee'.repeat(60);
    const body = {
      holder: { name },
      // 200 long members fit only when strings are cut to 16 characters.
      metadata: Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, 'v'.repeat(100)])),
    };
    const example = exampleOf(body, redactNames('name'));
    expect(JSON.parse(example)).toMatchObject({
      holder: { name: '[REDACTED]' },
      metadata: { k0: `${'v'.repeat(16)}…` },
    });
    expect(example).not.toContain('Zebe');
  });
});
