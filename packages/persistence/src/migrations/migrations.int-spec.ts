import { createDataSource, persistenceMigrations } from '../index.js';
import { createTestSchema, type TestSchema } from '../../test/support/database.js';

const tables = ['audit_log', 'external_refs', 'inbox', 'outbox', 'parked_keys', 'parked_records'];

describe('migrations', () => {
  let db: TestSchema;

  beforeAll(async () => {
    db = await createTestSchema('migrations');
  });
  afterAll(async () => {
    await db?.dispose();
  });

  async function tablesIn(schema: string): Promise<string[]> {
    const { rows } = await db.admin.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name <> 'typeorm_migrations'
       ORDER BY table_name`,
      [schema],
    );
    return rows.map((row) => row.table_name);
  }

  it('create the platform tables inside the configured schema, with the indexes the relay relies on', async () => {
    expect(await tablesIn(db.schema)).toEqual(tables);
    const { rows } = await db.admin.query<{ indexname: string; indexdef: string }>(
      `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = 'outbox'`,
      [db.schema],
    );
    const unpublished = rows.find((row) => row.indexname === 'outbox_unpublished_idx');
    expect(unpublished?.indexdef).toMatch(/WHERE \(published_at IS NULL\)/);
    expect(rows.map((row) => row.indexname)).toEqual(
      expect.arrayContaining(['outbox_pkey', 'outbox_event_id_key', 'outbox_created_at_brin']),
    );
    const inboxKey = await db.admin.query(
      `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint
       WHERE conname = 'inbox_pkey' AND connamespace = $1::regnamespace`,
      [db.schema],
    );
    expect(inboxKey.rows[0].def).toBe('PRIMARY KEY (consumer_group, event_id)');
  });

  it('keep their bookkeeping in the same schema, so schemas migrate independently', async () => {
    const { rows } = await db.admin.query<{ table_schema: string }>(
      `SELECT table_schema FROM information_schema.tables WHERE table_name = 'typeorm_migrations' AND table_schema = $1`,
      [db.schema],
    );
    expect(rows).toHaveLength(1);
    const applied = await db.admin.query(`SELECT name FROM "${db.schema}".typeorm_migrations ORDER BY id`);
    expect(applied.rows.map((row: { name: string }) => row.name)).toHaveLength(persistenceMigrations.length);
  });

  it('go down one by one and up again', async () => {
    for (let i = persistenceMigrations.length; i > 0; i--) await db.dataSource.undoLastMigration();
    expect(await tablesIn(db.schema)).toEqual([]);
    const applied = await db.dataSource.runMigrations();
    expect(applied.map((migration) => migration.name)).toEqual([
      'CreateOutbox1764201600000',
      'CreateInbox1764201600001',
      'CreateExternalRefs1764201600002',
      'CreateAuditLog1764201600003',
      'CreateKeyParking1765324800000',
    ]);
    expect(await tablesIn(db.schema)).toEqual(tables);
    expect(await db.dataSource.showMigrations()).toBe(false);
  });

  it('never synchronize, and run migrations only when asked', async () => {
    const schema = `${db.schema}_lazy`;
    const lazy = createDataSource({ url: db.url, schema, poolSize: 1 });
    expect(lazy.options.synchronize).toBe(false);
    await lazy.initialize();
    try {
      expect(await tablesIn(schema)).toEqual([]);
      expect(await lazy.showMigrations()).toBe(true);
    } finally {
      await lazy.destroy();
      await db.admin.query(`DROP SCHEMA "${schema}" CASCADE`);
    }
  });
});
