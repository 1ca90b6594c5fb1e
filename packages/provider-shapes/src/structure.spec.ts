import { enumTrieOf, pathSegments } from './paths.js';
import { structureKey } from './structure.js';

const none = enumTrieOf([]);
const key = (body: unknown, enums = none) => structureKey(body, enums);

describe('structureKey', () => {
  const intent = {
    id: 'pi_1',
    amount: 4200,
    status: 'succeeded',
    metadata: { order: 'o-1' },
    charges: { data: [{ id: 'ch_1', paid: true }] },
  };

  it('is equal for bodies of one shape whatever their values', () => {
    const other = {
      id: 'pi_2',
      amount: 1,
      status: 'canceled',
      metadata: { order: 'o-2' },
      charges: { data: [{ id: 'ch_9', paid: false }] },
    };
    expect(key(other)).toBe(key(intent));
  });

  it('differs for an added field, a dropped field, a changed type or a null', () => {
    const base = key(intent);
    expect(key({ ...intent, risk: 'low' })).not.toBe(base);
    const { amount: _amount, ...dropped } = intent;
    expect(key(dropped)).not.toBe(base);
    expect(key({ ...intent, amount: '4200' })).not.toBe(base);
    expect(key({ ...intent, metadata: null })).not.toBe(base);
    expect(key({ ...intent, charges: { data: [{ id: 'ch_1', paid: 'yes' }] } })).not.toBe(base);
  });

  it('tells a member name from the structure around it', () => {
    expect(key({ a: { b: 1 } })).not.toBe(key({ ab: 1 }));
    expect(key({ a: 1, b: 1 })).not.toBe(key({ a: { b: 1 } }));
    expect(key([{ a: 1 }])).not.toBe(key({ a: 1 }));
  });

  it('mixes values in only at enum paths, arrays included', () => {
    const enums = enumTrieOf(['$.status', '$.charges.data[].outcome']);
    const withOutcome = (status: string, outcome: string) => ({
      status,
      note: status,
      charges: { data: [{ outcome }] },
    });
    const base = key(withOutcome('succeeded', 'authorized'), enums);
    expect(key(withOutcome('processing', 'authorized'), enums)).not.toBe(base);
    expect(key(withOutcome('succeeded', 'blocked'), enums)).not.toBe(base);
    expect(key({ ...withOutcome('succeeded', 'authorized'), note: 'other' }, enums)).toBe(base);
    // Without the declaration the values do not count.
    expect(key(withOutcome('processing', 'blocked'))).toBe(key(withOutcome('succeeded', 'authorized')));
  });

  it('counts equal consecutive array elements once, and reads ten', () => {
    const item = { sku: 'a', quantity: 1 };
    expect(key({ lines: [item, item, item] })).toBe(key({ lines: [item] }));
    const eleventh = [...Array.from({ length: 10 }, () => item), { sku: 1 }];
    expect(key({ lines: eleventh })).toBe(key({ lines: [item] }));
    expect(key({ lines: [item, { sku: 1 }] })).not.toBe(key({ lines: [item] }));
  });
});

describe('pathSegments and enumTrieOf', () => {
  it('splits paths into member names and array steps, undoing escapes', () => {
    expect(pathSegments('$')).toEqual([]);
    expect(pathSegments('$.data.object.status')).toEqual(['data', 'object', 'status']);
    expect(pathSegments('$.items[].sku')).toEqual(['items', '[]', 'sku']);
    expect(pathSegments('$[]')).toEqual(['[]']);
    expect(pathSegments('$.a\\.b.c')).toEqual(['a.b', 'c']);
    expect(pathSegments('status')).toBeUndefined();
  });

  it('marks the enum paths of a trie, a member name with a dot included', () => {
    const enums = enumTrieOf(['$.a\\.b', 'not a path']);
    expect(key({ 'a.b': 'x' }, enums)).not.toBe(key({ 'a.b': 'y' }, enums));
    expect(enums.children.size).toBe(1);
  });
});
