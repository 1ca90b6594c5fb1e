import { createRedactor } from '@tributary/observability';
import { MAX_EXAMPLE_BYTES, MASKED, exampleOf } from './example.js';
import { pathTrieOf } from './paths.js';

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
    const kept = pathTrieOf({ kept: ['$.id', '$.email', '$.address.line1', '$.address.country'] });
    const example = JSON.parse(exampleOf(body, redactNames('email', 'line1'), kept));
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
    const kept = pathTrieOf({
      kept: [
        '$.id',
        '$.email',
        '$.client_secret',
        '$.shipping.destination.line1',
        '$.shipping.destination.city',
      ],
    });
    const example = exampleOf(body, createRedactor(), kept);
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
    const kept = pathTrieOf({ kept: ['$.description', '$.short'] });
    const example = JSON.parse(exampleOf({ description: 'd'.repeat(500), short: 'ok' }, keep, kept));
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
    expect(JSON.parse(example)).toMatchObject({ metadata: { key_0: MASKED } });
  });

  it('reads an object of more than 200 members as a map: keys masked, the first values, how many more', () => {
    const wide = Object.fromEntries(Array.from({ length: 2_000 }, (_, i) => [`cus_${i}`, i]));
    const example = exampleOf(wide, keep);
    expect(JSON.parse(example)).toEqual({ [`${MASKED}1`]: 0, [`${MASKED}2`]: 1, '…': '1998 more' });
    expect(example).not.toContain('cus_');
  });

  it('stays valid and bounded when no cut fits', () => {
    const deep = Array.from({ length: 400 }, () =>
      Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`m${i}`, i])),
    );
    const example = exampleOf({ a: deep, b: deep, c: deep }, keep);
    expect(Buffer.byteLength(example)).toBeLessThanOrEqual(MAX_EXAMPLE_BYTES);
    expect(() => JSON.parse(example)).not.toThrow();
  });

  it('masks every string nobody declared, at any depth and under any name', () => {
    let body: Record<string, unknown> = { email: 'deep@person.example', note: 'Jane Deep', amount: 5 };
    for (let i = 0; i < 12; i++) body = { level: body, label: `level ${i}` };
    const example = exampleOf(body, keep);
    expect(example).not.toContain('person.example');
    expect(example).not.toContain('Jane');
    expect(example).not.toContain('level 1');
    expect(example).toContain('"amount":5');
  });

  it('leaves no part of a personal value longer than the cut length, even at the shortest cut', () => {
    const name = 'Zebedee'.repeat(60);
    const body = {
      holder: { name },
      // 200 long members fit only when strings are cut to 16 characters.
      metadata: Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, 'v'.repeat(100)])),
    };
    const kept = pathTrieOf({
      kept: ['$.holder.name', ...Array.from({ length: 200 }, (_, i) => `$.metadata.k${i}`)],
    });
    const example = exampleOf(body, redactNames('name'), kept);
    expect(JSON.parse(example)).toMatchObject({
      holder: { name: '[REDACTED]' },
      metadata: { k0: `${'v'.repeat(16)}…` },
    });
    expect(example).not.toContain('Zebe');
  });
});
