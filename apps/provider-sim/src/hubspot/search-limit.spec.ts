import { SearchRateLimit } from './search-limit.js';

describe('HubSpot search rate limit', () => {
  it('admits N searches per sliding second per token, counting only those taken', () => {
    let now = 0;
    const limit = new SearchRateLimit(2, () => now);
    const search = (token: string) => {
      const verdict = limit.check(token);
      if (verdict.ok) limit.take(token);
      return verdict.ok;
    };
    expect([search('a'), search('a'), search('a'), search('b')]).toEqual([true, true, false, true]);
    now = 999;
    expect(search('a')).toBe(false);
    now = 1_001;
    expect([search('a'), search('a'), search('a')]).toEqual([true, true, false]);
  });
});
