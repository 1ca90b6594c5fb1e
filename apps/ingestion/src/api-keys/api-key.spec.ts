import { hashToken, keyIdOf } from '@tributary/service-kit';

describe('API key tokens', () => {
  // The CLI (packages/cli/src/commands/api-keys.ts) writes keys this app reads: both pin this vector.
  it('hashes a fixed token to a fixed value', () => {
    const token = 'trb_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
    expect(keyIdOf(token)).toBe('0123456789abcdef');
    expect(hashToken(token)).toBe('f8cf604554a75601d46ab59a5bcfb3e5e5e2911145146b3a606f6349c2d42e93');
  });
});
