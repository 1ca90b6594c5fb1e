import type { ShapeField } from './observation.js';
import { enumTrieOf, pathTrieOf } from './paths.js';
import type { PathTrie } from './paths.js';
import { ShapeCache, canonicalShape, shapeOf } from './shape.js';

const fieldsOf = (body: unknown, enumPaths?: ReadonlySet<string>): ShapeField[] => [
  ...canonicalShape(shapeOf(body, enumTrieOf(enumPaths ?? [])), 200, '{}').fields,
];

const hashOf = (body: unknown, status: number | null = 200, enumPaths?: ReadonlySet<string>) =>
  canonicalShape(shapeOf(body, enumTrieOf(enumPaths ?? [])), status, '{}').hash;

const paths = (body: unknown, declared?: PathTrie) =>
  canonicalShape(shapeOf(body, declared), 200, '{}').fields.map((f) => `${f.path} ${f.type}`);

describe('shapeOf', () => {
  it('lists every path of nested objects and arrays with its JSON type, sorted by path then type', () => {
    expect(
      fieldsOf({ a: { b: 1, c: null }, items: [{ sku: 'x', qty: 2 }], flag: true, tags: ['t'] }),
    ).toEqual([
      { path: '$', type: 'object' },
      { path: '$.a', type: 'object' },
      { path: '$.a.b', type: 'number' },
      { path: '$.a.c', type: 'null' },
      { path: '$.flag', type: 'boolean' },
      { path: '$.items', type: 'array' },
      { path: '$.items[]', type: 'object' },
      { path: '$.items[].qty', type: 'number' },
      { path: '$.items[].sku', type: 'string' },
      { path: '$.tags', type: 'array' },
      { path: '$.tags[]', type: 'string' },
    ]);
  });

  it('types the document itself at `$`, also when it is an array', () => {
    expect(fieldsOf([1, 2])).toEqual([
      { path: '$', type: 'array' },
      { path: '$[]', type: 'number' },
    ]);
  });

  it('lists a path once per type when array elements disagree', () => {
    const items = [{ amount: 1 }, { amount: '1.00' }, { amount: 2 }];
    expect(fieldsOf({ items }).filter((f) => f.path === '$.items[].amount')).toEqual([
      { path: '$.items[].amount', type: 'number' },
      { path: '$.items[].amount', type: 'string' },
    ]);
  });

  it('escapes `.`, `[`, `]` and `\\` in member names so a member never reads as nesting', () => {
    const paths = fieldsOf({ 'a.b': 1, 'list[]': 2, 'back\\slash': 3, a: { b: 4 } }).map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['$.a\\.b', '$.list\\[\\]', '$.back\\\\slash', '$.a.b']));
    expect(new Set(paths).size).toBe(paths.length);
  });

  it('keeps string values at declared enum paths only', () => {
    const sample = shapeOf(
      { status: 'succeeded', currency: 'eur', items: [{ kind: 'card' }, { kind: 'sepa' }], code: 3 },
      enumTrieOf(['$.status', '$.items[].kind', '$.code']),
    );
    const shape = canonicalShape(sample, 200, '{}');
    expect(shape.enums).toEqual([
      { path: '$.items[].kind', value: 'card' },
      { path: '$.items[].kind', value: 'sepa' },
      { path: '$.status', value: 'succeeded' },
    ]);
  });

  it('keeps a value longer than 100 characters out of the enums', () => {
    const sample = shapeOf({ status: 'x'.repeat(101) }, enumTrieOf(['$.status']));
    expect(sample.enums.get('$.status') ?? new Set()).toEqual(new Set());
  });

  it('reads arrays up to their tenth element', () => {
    const items: unknown[] = Array.from({ length: 10 }, () => ({ id: 1 }));
    const eleventh = [...items, { id: 1, late: true }];
    expect(hashOf({ items: eleventh })).toBe(hashOf({ items }));
    const tenth = [...items.slice(0, 9), { id: 1, late: true }];
    expect(hashOf({ items: tenth })).not.toBe(hashOf({ items }));
  });

  it('tells shapes apart even when names and values hold the separators of the hash input', () => {
    const enumPaths = new Set(['$.a']);
    expect(hashOf({ a: 'x","$.b' }, 200, enumPaths)).not.toBe(hashOf({ a: 'x', b: 's' }, 200, enumPaths));
    expect(hashOf({ 'a","string"],["$.b': 1 })).not.toBe(hashOf({ a: 's', b: 1 }));
  });

  it('reads a declared map, and any object of more than 200 members, as one `*` path', () => {
    const metadata = pathTrieOf({ maps: ['$.metadata'] });
    expect(paths({ metadata: { order: 'o-1', cart: 'c-1' } }, metadata)).toEqual([
      '$ object',
      '$.metadata object',
      '$.metadata.* string',
    ]);
    const byId = Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`id_${i}`, { n: i }]));
    expect(paths({ byId })).toEqual(['$ object', '$.byId object', '$.byId.* object', '$.byId.*.n number']);
  });

  it('stops after 2 000 values, however wide or deep the body', () => {
    const wide = Array.from({ length: 150 }, (_, i) =>
      Object.fromEntries(Array.from({ length: 150 }, (_, j) => [`k${i}_${j}`, j])),
    );
    const sample = shapeOf(Object.fromEntries(wide.map((object, i) => [`o${i}`, object])));
    expect(sample.fields.size).toBeLessThanOrEqual(2_000);
  });
});

describe('canonicalShape', () => {
  const body = { id: 'pi_1', status: 'succeeded', amount: 100, items: [{ sku: 'a' }] };
  const enums = new Set(['$.status']);

  it('hashes equal bodies equally, as 16 hex characters, keeping the status and example given', () => {
    const shape = canonicalShape(shapeOf(body, enumTrieOf(enums)), 201, '{"id":"pi_1"}');
    expect(shape.hash).toMatch(/^[0-9a-f]{16}$/);
    expect(shape.hash).toBe(hashOf(structuredClone(body), 201, enums));
    expect(shape.status).toBe(201);
    expect(shape.example).toBe('{"id":"pi_1"}');
  });

  it('does not depend on the order of members or on values outside enum paths', () => {
    const reordered = { items: [{ sku: 'b' }], amount: 7, status: 'succeeded', id: 'pi_2' };
    expect(hashOf(reordered, 200, enums)).toBe(hashOf(body, 200, enums));
  });

  it('changes with the status, a type, an added field and a new enum value', () => {
    const base = hashOf(body, 200, enums);
    expect(hashOf(body, 402, enums)).not.toBe(base);
    expect(hashOf(body, null, enums)).not.toBe(base);
    expect(hashOf({ ...body, amount: '100' }, 200, enums)).not.toBe(base);
    expect(hashOf({ ...body, captured: true }, 200, enums)).not.toBe(base);
    expect(hashOf({ ...body, status: 'requires_action' }, 200, enums)).not.toBe(base);
    expect(hashOf({ ...body, items: [{ sku: 'a', qty: 1 }] }, 200, enums)).not.toBe(base);
  });
});

describe('ShapeCache', () => {
  const shape = (example: string) => canonicalShape(shapeOf({ a: 1 }), 200, example);

  it('finds a shape by status and key', () => {
    const cache = new ShapeCache();
    const ok = shape('ok');
    cache.set(200, 'k', ok);
    expect(cache.get(200, 'k')).toBe(ok);
    expect(cache.get(404, 'k')).toBeUndefined();
    expect(cache.get(null, 'k')).toBeUndefined();
    expect(cache.get(200, 'other')).toBeUndefined();
  });

  it('starts over past its capacity instead of growing', () => {
    const cache = new ShapeCache(3);
    for (const key of ['a', 'b', 'c']) cache.set(200, key, shape(key));
    expect(cache.get(200, 'a')).toBeDefined();
    cache.set(200, 'd', shape('d'));
    expect(cache.get(200, 'a')).toBeUndefined();
    expect(cache.get(200, 'c')).toBeUndefined();
    expect(cache.get(200, 'd')?.example).toBe('d');
  });
});
