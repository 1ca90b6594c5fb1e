import { ApiKeyAuthenticator } from './api-key-authenticator.js';
import { hashToken, issueApiKey, parseConfiguredApiKeys } from './api-key.js';
import type { ApiKeyRecord } from './api-key-store.js';

const scopes = ['dlq:read', 'dlq:replay'];

function stored(overrides: Partial<ApiKeyRecord> = {}) {
  const issued = issueApiKey();
  const record: ApiKeyRecord = {
    keyId: issued.keyId,
    name: 'ops',
    tokenHash: issued.tokenHash,
    scopes: ['dlq:read', 'events:publish'],
    createdBy: 'test',
    createdAt: new Date(0),
    expiresAt: null,
    revokedAt: null,
    replacedBy: null,
    ...overrides,
  };
  return { token: issued.token, record };
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  return promise.then(
    () => undefined,
    (error: { code?: string }) => error.code,
  );
}

describe('ApiKeyAuthenticator', () => {
  it('accepts a stored key with the scopes this service knows, and caches the row', async () => {
    const key = stored();
    let lookups = 0;
    const auth = new ApiKeyAuthenticator({
      scopes,
      cacheTtlMs: 5_000,
      find: async (id) => (lookups++, id === key.record.keyId ? key.record : undefined),
    });
    const principal = await auth.authenticate(`Bearer ${key.token}`);
    expect(principal).toEqual({
      keyId: key.record.keyId,
      name: 'ops',
      scopes: ['dlq:read'],
      source: 'stored',
    });
    await auth.authenticate(`Bearer ${key.token}`);
    expect(lookups).toBe(1);
  });

  it('tells missing, invalid, revoked and expired keys apart, and wrong secrets from unknown ids not', async () => {
    let now = 1_000;
    const live = stored();
    const revoked = stored({ revokedAt: new Date(0) });
    const expiring = stored({ expiresAt: new Date(2_000) });
    const rows = new Map([live, revoked, expiring].map((k) => [k.record.keyId, k.record]));
    const auth = new ApiKeyAuthenticator({
      scopes,
      cacheTtlMs: 0,
      find: async (id) => rows.get(id),
      now: () => now,
    });
    expect(await codeOf(auth.authenticate(undefined))).toBe('API_KEY_MISSING');
    expect(await codeOf(auth.authenticate('Basic abc'))).toBe('API_KEY_MISSING');
    expect(await codeOf(auth.authenticate(`Bearer ${issueApiKey().token}`))).toBe('API_KEY_INVALID');
    const wrongSecret = `${live.token.slice(0, -4)}AAAA`;
    expect(await codeOf(auth.authenticate(`Bearer ${wrongSecret}`))).toBe('API_KEY_INVALID');
    expect(await codeOf(auth.authenticate(`Bearer ${revoked.token}`))).toBe('API_KEY_REVOKED');
    expect(await codeOf(auth.authenticate(`Bearer ${expiring.token}`))).toBeUndefined();
    now = 2_000;
    expect(await codeOf(auth.authenticate(`Bearer ${expiring.token}`))).toBe('API_KEY_EXPIRED');
  });

  it('accepts configured keys by the hash of any token, with their own scopes', async () => {
    const { keys, problems } = parseConfiguredApiKeys(
      `console:${hashToken('console-token')}:dlq:read+dlq:replay\nreader:${hashToken('r')}:dlq:read`,
      scopes,
    );
    expect(problems).toEqual([]);
    const auth = new ApiKeyAuthenticator({ scopes, cacheTtlMs: 0, configured: keys });
    expect(await auth.authenticate('Bearer console-token')).toEqual({
      keyId: 'console',
      name: 'console',
      scopes: ['dlq:read', 'dlq:replay'],
      source: 'configured',
    });
    expect(await codeOf(auth.authenticate('Bearer other'))).toBe('API_KEY_INVALID');
  });

  it('refuses configured entries that are malformed or grant unknown scopes, by position', () => {
    const { problems } = parseConfiguredApiKeys(
      `a:${hashToken('x')}:dlq:read,b:nothex:dlq:read,c:${hashToken('y')}:admin`,
      scopes,
    );
    expect(problems).toEqual([expect.stringContaining('entry #2'), expect.stringContaining('entry #3')]);
  });
});
