import { hashToken, issueApiKey, keyIdOf, tokenMatches } from './api-key.js';

describe('API key tokens', () => {
  it('issues trb_<id>_<secret> tokens whose sha256 is stored', () => {
    const issued = issueApiKey();
    expect(issued.token).toMatch(/^trb_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(keyIdOf(issued.token)).toBe(issued.keyId);
    expect(issued.tokenHash).toBe(hashToken(issued.token));
    expect(tokenMatches(issued.token, issued.tokenHash)).toBe(true);
    expect(tokenMatches(issueApiKey().token, issued.tokenHash)).toBe(false);
  });

  // The CLI (packages/cli/src/commands/api-keys.ts) writes keys this app reads: both pin this vector.
  it('hashes a fixed token to a fixed value', () => {
    const token = 'trb_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
    expect(keyIdOf(token)).toBe('0123456789abcdef');
    expect(hashToken(token)).toBe('f8cf604554a75601d46ab59a5bcfb3e5e5e2911145146b3a606f6349c2d42e93');
  });

  it('refuses malformed tokens before any lookup', () => {
    for (const token of [
      '',
      'Bearer x',
      'trb_0123_abc',
      'trb_0123456789ABCDEF_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    ]) {
      expect(keyIdOf(token)).toBeUndefined();
    }
  });
});
