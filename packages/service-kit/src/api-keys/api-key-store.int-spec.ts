import { createDataSource } from '@tributary/persistence';
import { createTestDatabase } from '@tributary/testkit';
import type { TestDatabase } from '@tributary/testkit';
import type { DataSource } from 'typeorm';
import { tokenMatches } from './api-key.js';
import { ApiKeyStore } from './api-key-store.js';
import { apiKeyMigrations } from './api-keys.migration.js';

describe('ApiKeyStore', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let store: ApiKeyStore;

  beforeAll(async () => {
    database = await createTestDatabase({ prefix: 'api_keys' });
    dataSource = await createDataSource({
      url: database.url,
      schema: 'svc',
      migrationsRun: true,
      migrations: [...apiKeyMigrations],
    }).initialize();
    store = new ApiKeyStore(dataSource, { scopes: ['a:read', 'a:write'] });
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  const audit = async (keyId: string) =>
    (await dataSource.query(`SELECT action, actor, reason FROM audit_log WHERE target = $1 ORDER BY at, id`, [
      `api-key:${keyId}`,
    ])) as Array<{ action: string; actor: string; reason: string }>;

  it('creates a key whose token is shown once and stored only as its hash, audited', async () => {
    const issued = await store.create({
      name: 'orders',
      scopes: ['a:read', 'a:read'],
      actor: 'alice',
      reason: 'new client',
    });
    const row = await store.find(issued.record.keyId);
    expect(row).toMatchObject({ name: 'orders', scopes: ['a:read'], createdBy: 'alice', revokedAt: null });
    expect(tokenMatches(issued.token, row!.tokenHash)).toBe(true);
    expect(JSON.stringify(await dataSource.query('SELECT * FROM api_keys'))).not.toContain(issued.token);
    expect(await audit(issued.record.keyId)).toEqual([
      { action: 'api-key.create', actor: 'alice', reason: 'new client' },
    ]);
  });

  it('refuses unknown scopes and bad names without writing anything', async () => {
    const before = await store.list({ all: true });
    await expect(store.create({ name: 'x', scopes: ['admin'], actor: 'a' })).rejects.toMatchObject({
      code: 'API_KEY_SCOPE_UNKNOWN',
    });
    await expect(store.create({ name: 'no spaces', scopes: ['a:read'], actor: 'a' })).rejects.toMatchObject({
      code: 'API_KEY_REQUEST_INVALID',
    });
    expect(await store.list({ all: true })).toHaveLength(before.length);
  });

  it('rotates: the successor has the same name and scopes, the old key expires after the overlap', async () => {
    const first = await store.create({ name: 'billing', scopes: ['a:write'], actor: 'alice' });
    const rotated = await store.rotate(first.record.keyId, { overlapMs: 3_600_000, actor: 'bob' });
    expect(rotated.record).toMatchObject({ name: 'billing', scopes: ['a:write'], createdBy: 'bob' });
    expect(rotated.previous.replacedBy).toBe(rotated.record.keyId);
    const remaining = rotated.previous.expiresAt!.getTime() - Date.now();
    expect(remaining).toBeGreaterThan(3_500_000);
    expect(remaining).toBeLessThanOrEqual(3_600_000);
    expect((await audit(first.record.keyId)).map((a) => a.action)).toEqual([
      'api-key.create',
      'api-key.rotate',
    ]);
  });

  it('revokes once; a second revoke or an unknown key is API_KEY_NOT_FOUND and writes no audit entry', async () => {
    const key = await store.create({ name: 'temp', scopes: ['a:read'], actor: 'alice' });
    await store.revoke(key.record.keyId, { actor: 'carol', reason: 'leaked' });
    expect((await store.find(key.record.keyId))!.revokedAt).toBeInstanceOf(Date);
    await expect(store.revoke(key.record.keyId, { actor: 'carol' })).rejects.toMatchObject({
      code: 'API_KEY_NOT_FOUND',
    });
    await expect(store.rotate('0123456789abcdef', { overlapMs: 1, actor: 'carol' })).rejects.toMatchObject({
      code: 'API_KEY_NOT_FOUND',
    });
    expect((await audit(key.record.keyId)).map((a) => `${a.action} ${a.actor}`)).toEqual([
      'api-key.create alice',
      'api-key.revoke carol',
    ]);
    expect((await store.list()).map((k) => k.keyId)).not.toContain(key.record.keyId);
  });
});
