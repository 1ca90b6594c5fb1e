import { ancestorPaths, parentPath } from './paths.js';

describe('parentPath', () => {
  it.each([
    ['$.a.b', '$.a'],
    ['$.a', '$'],
    ['$.items[]', '$.items'],
    ['$.items[].sku', '$.items[]'],
    ['$.matrix[][]', '$.matrix[]'],
    ['$[]', '$'],
  ])('gives %s the parent %s', (path, parent) => {
    expect(parentPath(path)).toBe(parent);
  });

  it('gives the document itself no parent', () => {
    expect(parentPath('$')).toBeNull();
  });

  it('keeps escaped separators inside the member name', () => {
    expect(parentPath('$.metadata.order\\.id')).toBe('$.metadata');
    expect(parentPath('$.a\\.b')).toBe('$');
    expect(parentPath('$.tags\\[\\]')).toBe('$');
    expect(parentPath('$.tags\\[\\].x')).toBe('$.tags\\[\\]');
  });

  it('reads an escaped backslash as one character, so the separator after it still splits', () => {
    expect(parentPath('$.dir\\\\.file')).toBe('$.dir\\\\');
  });
});

describe('ancestorPaths', () => {
  it('lists every ancestor, nearest first', () => {
    expect(ancestorPaths('$.items[].price.amount')).toEqual(['$.items[].price', '$.items[]', '$.items', '$']);
    expect(ancestorPaths('$.a\\.b.c')).toEqual(['$.a\\.b', '$']);
    expect(ancestorPaths('$')).toEqual([]);
  });
});
