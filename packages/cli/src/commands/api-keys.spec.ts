import { hashToken, issueToken, parseDuration, parseScopes } from './api-keys.js';

describe('api-keys command', () => {
  // apps/ingestion/src/api-keys/api-key.spec.ts pins the same vector: the CLI writes what ingestion reads.
  it('hashes tokens the way ingestion checks them', () => {
    const token = 'trb_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
    expect(hashToken(token)).toBe('f8cf604554a75601d46ab59a5bcfb3e5e5e2911145146b3a606f6349c2d42e93');
    const issued = issueToken();
    expect(issued.token).toMatch(new RegExp(`^trb_${issued.keyId}_[A-Za-z0-9_-]{43}$`));
    expect(issued.tokenHash).toBe(hashToken(issued.token));
  });

  it('parses durations and scopes, refusing unknown ones', () => {
    expect(parseDuration('90d')).toBe(90 * 86_400_000);
    expect(parseDuration('30m')).toBe(1_800_000);
    expect(() => parseDuration('1y')).toThrow(/duration/);
    expect(parseScopes('events:publish, events:read,events:publish')).toEqual([
      'events:publish',
      'events:read',
    ]);
    expect(() => parseScopes('events:publish,dlq:nuke')).toThrow(/unknown: dlq:nuke/);
    expect(() => parseScopes('')).toThrow(/scopes/);
  });
});
