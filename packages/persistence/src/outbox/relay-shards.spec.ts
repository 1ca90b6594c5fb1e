import { fairShare, shardsToRelease } from './relay-shards.js';

describe('relay shards', () => {
  it.each([
    [4, 1, 4, 4],
    [4, 2, 4, 2],
    [4, 3, 4, 2],
    [4, 4, 4, 1],
    [4, 8, 4, 1],
    [4, 1, 3, 3],
    [1, 2, 1, 1],
    [4, 0, 4, 4],
  ])('%i shards, %i relays, cap %i: holds %i', (shards, relays, cap, expected) => {
    expect(fairShare(shards, relays, cap)).toBe(expected);
  });

  it('gives back the highest shards first and keeps shard 0', () => {
    expect(shardsToRelease(new Set([0, 3, 1, 2]), 2)).toEqual([3, 2]);
    expect(shardsToRelease(new Set([2, 0]), 2)).toEqual([]);
  });
});
