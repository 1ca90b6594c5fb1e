import { Timeline } from './timeline.js';

describe('timeline', () => {
  const stamps = [
    { at: 3, id: 'c' },
    { at: 1, id: 'a' },
    { at: 3, id: 'b' },
    { at: 2, id: 'x' },
    { at: 5, id: 'e' },
  ];

  it('orders by time then id whatever the arrival order, one by one or all at once', () => {
    const single = new Timeline();
    for (const stamp of stamps) single.add(stamp);
    const bulk = new Timeline();
    bulk.addMany(stamps);
    const all = { limit: 10 };
    expect(single.page(all).ids).toEqual(['e', 'c', 'b', 'x', 'a']);
    expect(bulk.page(all).ids).toEqual(['e', 'c', 'b', 'x', 'a']);
  });

  it('pages older than a cursor, newer than a cursor (nearest first, listed newest first), within bounds', () => {
    const timeline = new Timeline();
    timeline.addMany(stamps);
    expect(timeline.page({ limit: 2, olderThan: { at: 3, id: 'c' } })).toEqual({
      ids: ['b', 'x'],
      hasMore: true,
    });
    expect(timeline.page({ limit: 2, newerThan: { at: 2, id: 'x' } })).toEqual({
      ids: ['c', 'b'],
      hasMore: true,
    });
    expect(timeline.page({ limit: 9, newerThan: { at: 3, id: 'b' } })).toEqual({
      ids: ['e', 'c'],
      hasMore: false,
    });
    expect(timeline.page({ limit: 9, minAt: 2, maxAt: 3 }).ids).toEqual(['c', 'b', 'x']);
    expect(timeline.page({ limit: 1, accept: (id) => id !== 'e' && id !== 'c' })).toEqual({
      ids: ['b'],
      hasMore: true,
    });
  });
});
