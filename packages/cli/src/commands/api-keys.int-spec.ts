import { createDataSource } from '@tributary/persistence';
import { ApiKeyAuthenticator, ApiKeyStore, apiKeyMigrations } from '@tributary/service-kit/api-keys';
import { createTestDatabase } from '@tributary/testkit';
import type { TestDatabase } from '@tributary/testkit';
import type { DataSource } from 'typeorm';
import { apiKeysCommand } from './api-keys.js';

/** The CLI against a service's real schema: what it issues, the service's own authenticator accepts. */
describe('tributary api-keys (real Postgres)', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  const schema = 'dlq_handler';

  beforeAll(async () => {
    database = await createTestDatabase({ prefix: 'cli_api_keys' });
    dataSource = await createDataSource({
      url: database.url,
      schema,
      migrationsRun: true,
      migrations: [...apiKeyMigrations],
    }).initialize();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  async function run(...args: string[]): Promise<string[]> {
    const lines: string[] = [];
    const code = await apiKeysCommand(args, {
      env: { DATABASE_URL: database.url, DATABASE_SCHEMA: schema },
      log: (line) => lines.push(line),
      actor: 'alice',
    });
    expect(code).toBe(0);
    return lines;
  }

  const tokenOf = (lines: string[]) => lines.find((l) => l.startsWith('key (shown once): '))!.slice(18);
  const authenticator = () =>
    new ApiKeyAuthenticator({
      scopes: ['dlq:read', 'dlq:replay', 'dlq:discard'],
      cacheTtlMs: 0,
      find: (id) => new ApiKeyStore(dataSource, { scopes: [] }).find(id),
    });

  it('creates, rotates and revokes keys the service accepts, each change audited', async () => {
    const created = await run(
      'create',
      '--service',
      'dlq-handler',
      '--name',
      'console',
      '--scopes',
      'dlq:read,dlq:replay',
    );
    const token = tokenOf(created);
    const principal = await authenticator().authenticate(`Bearer ${token}`);
    expect(principal).toMatchObject({
      name: 'console',
      scopes: ['dlq:read', 'dlq:replay'],
      source: 'stored',
    });

    const rotated = await run(
      'rotate',
      principal.keyId,
      '--service',
      'dlq-handler',
      '--overlap',
      '1h',
      '--reason',
      'yearly',
    );
    const successor = await authenticator().authenticate(`Bearer ${tokenOf(rotated)}`);
    expect(successor.name).toBe('console');
    await run('revoke', successor.keyId, '--service', 'dlq-handler');
    await expect(authenticator().authenticate(`Bearer ${tokenOf(rotated)}`)).rejects.toMatchObject({
      code: 'API_KEY_REVOKED',
    });
    // The first key still works during its overlap.
    expect((await authenticator().authenticate(`Bearer ${token}`)).keyId).toBe(principal.keyId);

    const audit = (await dataSource.query(
      `SELECT action, actor, reason FROM audit_log ORDER BY at, id`,
    )) as unknown[];
    expect(audit).toEqual([
      { action: 'api-key.create', actor: 'alice', reason: 'issued' },
      { action: 'api-key.rotate', actor: 'alice', reason: 'yearly' },
      { action: 'api-key.revoke', actor: 'alice', reason: 'revoked' },
    ]);
    const listed = await run('list', '--service', 'dlq-handler');
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatch(new RegExp(`^${principal.keyId}  console  dlq:read,dlq:replay  expires `));
  });

  it("refuses a scope the service does not know, and another service's scope, writing nothing", async () => {
    const before = await dataSource.query('SELECT count(*)::int AS n FROM api_keys');
    for (const scopes of ['dlq:nuke', 'events:publish']) {
      await expect(
        apiKeysCommand(['create', '--service', 'dlq-handler', '--name', 'x', '--scopes', scopes], {
          env: { DATABASE_URL: database.url, DATABASE_SCHEMA: schema },
          log: () => undefined,
        }),
      ).rejects.toThrow(`unknown: ${scopes}`);
    }
    expect(await dataSource.query('SELECT count(*)::int AS n FROM api_keys')).toEqual(before);
  });

  it('names the schema and the service when the table is not there', async () => {
    await expect(
      apiKeysCommand(['list'], {
        env: { DATABASE_URL: database.url, DATABASE_SCHEMA: 'nowhere' },
        log: () => undefined,
      }),
    ).rejects.toThrow(`no api_keys table in schema "nowhere": set DATABASE_SCHEMA to ingestion's schema`);
  });
});
