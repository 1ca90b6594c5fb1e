import { TributaryError } from '@tributary/contracts';
import { createTestDatabase, waitFor, type TestDatabase } from '@tributary/testkit';
import pg from 'pg';
import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { createDataSource, persistenceMigrations, type MigrationsEvent } from '../index.js';
import { createTestSchema, type TestSchema } from '../../test/support/database.js';
import { gate } from '../../test/support/env.js';
import { runTs } from '../../test/support/process.js';

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
      expect.arrayContaining(['outbox_pkey', 'outbox_event_id_topic_key', 'outbox_created_at_brin']),
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
      'AuditLogAtIndex1796515200000',
      'OutboxEventPerTopic1796688000000',
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

describe('migrations with several replicas booting at once', () => {
  const schema = 'replicas';
  const migrationNames = [
    'CreateOutbox1764201600000',
    'CreateInbox1764201600001',
    'CreateExternalRefs1764201600002',
    'CreateAuditLog1764201600003',
    'CreateKeyParking1765324800000',
    'AuditLogAtIndex1796515200000',
    'OutboxEventPerTopic1796688000000',
  ];
  let database: TestDatabase;
  let admin: pg.Client;
  const opened: DataSource[] = [];

  // Each test gets an empty database of its own: the race is about the first boot.
  beforeEach(async () => {
    database = await createTestDatabase({ prefix: 'migrations' });
    admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((dataSource) => dataSource.destroy().catch(() => undefined)));
    await admin.end();
    await database.drop();
  });

  function replica(
    options: {
      onMigrations?: (event: MigrationsEvent) => void;
      migrationLockTimeoutMs?: number;
      migrations?: Array<new () => MigrationInterface>;
    } = {},
  ): DataSource {
    const dataSource = createDataSource({
      url: database.url,
      schema,
      poolSize: 2,
      migrationsRun: true,
      applicationName: 'migrations-replica',
      ...options,
    });
    opened.push(dataSource);
    return dataSource;
  }

  async function appliedRows(): Promise<Array<{ name: string; copies: number }>> {
    const { rows } = await admin.query<{ name: string; copies: number }>(
      `SELECT name, count(*)::int AS copies FROM "${schema}".typeorm_migrations GROUP BY name ORDER BY min(id)`,
    );
    return rows;
  }

  async function platformTables(): Promise<string[]> {
    const { rows } = await admin.query<{ relname: string }>(
      `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relkind = 'r' ORDER BY c.relname`,
      [schema],
    );
    return rows.map((row) => row.relname);
  }

  /** Sessions of this database waiting on an advisory lock. */
  async function advisoryWaiters(): Promise<number> {
    const { rows } = await admin.query<{ waiting: number }>(
      `SELECT count(*)::int AS waiting FROM pg_locks
        WHERE locktype = 'advisory' AND NOT granted
          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    return rows[0]!.waiting;
  }

  it('four data sources initializing concurrently on an empty database all succeed, and each migration runs once', async () => {
    const events: MigrationsEvent[] = [];
    const replicas = Array.from({ length: 4 }, () =>
      replica({ onMigrations: (event) => events.push(event) }),
    );

    const results = await Promise.allSettled(replicas.map((dataSource) => dataSource.initialize()));

    expect(results.map((result) => result.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'fulfilled',
    ]);
    expect(await appliedRows()).toEqual(migrationNames.map((name) => ({ name, copies: 1 })));
    expect(await platformTables()).toEqual([...tables, 'typeorm_migrations'].sort());
    // One replica applied everything; the others waited for it and found nothing pending.
    expect(events).toHaveLength(4);
    expect(events.flatMap((event) => event.applied)).toEqual(migrationNames);
    expect(events.filter((event) => event.applied.length === 0)).toHaveLength(3);
    for (const dataSource of replicas) expect(await dataSource.showMigrations()).toBe(false);
  });

  it('replicas started as processes at the same moment all boot, and each migration runs once', async () => {
    const barrier = `migrations-test-barrier:${database.name}`;
    await admin.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [barrier]);
    const workers = Array.from({ length: 3 }, () =>
      runTs('packages/persistence/test/fixtures/migrate-worker.ts', {
        DATABASE_URL: database.url,
        MIGRATE_SCHEMA: schema,
        START_BARRIER: barrier,
      }),
    );
    try {
      // Every worker has loaded and waits at the barrier: releasing it starts their boots together.
      await waitFor(async () => (await advisoryWaiters()) === 3, { timeoutMs: 60_000 });
      await admin.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [barrier]);
      const exits = await Promise.all(workers.map((worker) => worker.exited));
      expect(exits.map((exit) => exit.code)).toEqual([0, 0, 0]);
    } finally {
      for (const worker of workers) worker.child.kill('SIGKILL');
    }
    const printed = workers.map((worker) => worker.lines.find((line) => line['event'] === 'migrated'));
    expect(printed.flatMap((line) => line?.['applied'] as string[])).toEqual(migrationNames);
    expect(await appliedRows()).toEqual(migrationNames.map((name) => ({ name, copies: 1 })));
    expect(await platformTables()).toEqual([...tables, 'typeorm_migrations'].sort());
  });

  it('a replica waiting on the lock proceeds once the holder has migrated, and finds nothing left to apply', async () => {
    // The first replica's own migration holds it inside the lock until the test lets it finish.
    const inside = gate();
    const finish = gate();
    class SlowMigration1799999999999 implements MigrationInterface {
      async up(queryRunner: QueryRunner): Promise<void> {
        inside.open();
        await finish.promise;
        await queryRunner.query('CREATE TABLE slow_table (id int PRIMARY KEY)');
      }
      async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query('DROP TABLE slow_table');
      }
    }
    const events: MigrationsEvent[] = [];
    const onMigrations = (event: MigrationsEvent) => events.push(event);
    const holder = replica({ migrations: [SlowMigration1799999999999], onMigrations }).initialize();
    await inside.promise;
    const waiter = replica({ migrations: [SlowMigration1799999999999], onMigrations });
    let waiterDone = false;
    const waiting = waiter.initialize().finally(() => (waiterDone = true));
    await waitFor(async () => (await advisoryWaiters()) === 1);
    expect(waiterDone).toBe(false);

    finish.open();
    await holder;
    await waiting;

    expect(events.map((event) => event.applied)).toEqual([
      [...migrationNames, 'SlowMigration1799999999999'],
      [],
    ]);
    expect(events[1]!.lockWaitMs).toBeGreaterThan(0);
    expect(await appliedRows()).toEqual(
      [...migrationNames, 'SlowMigration1799999999999'].map((name) => ({ name, copies: 1 })),
    );
    expect(waiter.isInitialized).toBe(true);
  });

  it('gives up after the lock timeout with an error naming the lock and the session holding it', async () => {
    await admin.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [`tributary.migrations:${schema}`]);
    const { rows } = await admin.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const stuck = replica({ migrationLockTimeoutMs: 300 });

    const error = await stuck.initialize().then(
      () => undefined,
      (thrown: unknown) => thrown,
    );

    expect(error).toBeInstanceOf(TributaryError);
    expect(error).toMatchObject({ code: 'PERSISTENCE_MIGRATION_LOCK_TIMEOUT', retriable: true });
    expect((error as Error).message).toContain(`"tributary.migrations:${schema}"`);
    expect((error as Error).message).toContain(`held by pid ${rows[0]!.pid}`);
    expect(stuck.isInitialized).toBe(false);
    expect(await platformTables()).toEqual([]);
  });
});
