import { describeKey, parseDuration, parseScopes, serviceOf } from './api-keys.js';

describe('api-keys command', () => {
  it('parses durations and scope lists', () => {
    expect(parseDuration('90d')).toBe(90 * 86_400_000);
    expect(parseDuration('30m')).toBe(1_800_000);
    expect(() => parseDuration('1y')).toThrow(/duration/);
    expect(parseScopes('events:publish, events:read,events:publish')).toEqual([
      'events:publish',
      'events:read',
    ]);
  });

  it('knows the services whose keys it manages, from their OpenAPI documents', () => {
    expect(serviceOf(undefined)).toBe('ingestion');
    expect(serviceOf('dlq-handler')).toBe('dlq-handler');
    expect(() => serviceOf('billing')).toThrow(
      '--service must be one of ingestion, dlq-handler, reconciliation, not "billing"',
    );
  });

  it('describes a key by its state', () => {
    const key = {
      keyId: '0123456789abcdef',
      name: 'orders',
      tokenHash: '',
      scopes: ['events:publish'],
      createdBy: 'alice',
      createdAt: new Date(0),
      expiresAt: new Date('2026-01-01T00:00:00Z'),
      revokedAt: null,
      replacedBy: 'fedcba9876543210',
    };
    expect(describeKey(key, new Date('2025-12-31T00:00:00Z'))).toBe(
      '0123456789abcdef  orders  events:publish  expires 2026-01-01T00:00:00.000Z  replaced by fedcba9876543210',
    );
    expect(describeKey({ ...key, revokedAt: new Date(1000), replacedBy: null })).toBe(
      '0123456789abcdef  orders  events:publish  revoked 1970-01-01T00:00:01.000Z',
    );
  });
});
