import type pg from 'pg';
import { DataSource, type DataSourceOptions, type MigrationInterface } from 'typeorm';
import { assertSchemaName } from './names.js';
import { persistenceMigrations } from './migrations/index.js';
import { withMigrationLock } from './migration-lock.js';

type PostgresDataSourceOptions = Extract<DataSourceOptions, { type: 'postgres' }>;

export interface PersistenceOptions {
  /** postgres://user:password@host:port/database */
  readonly url: string;
  /** Postgres schema holding the tables (default `public`). Tests isolate by giving each file its own. */
  readonly schema?: string;
  /** Create the schema on initialize when it is missing (default true). */
  readonly createSchema?: boolean;
  /** Connections in the pool (default 10). The outbox relay uses one more connection of its own. */
  readonly poolSize?: number;
  /**
   * Run pending migrations on initialize (default false: production runs them as a deploy step). Replicas
   * booting at once take turns under the schema's advisory lock (docs/architecture.md#several-replicas).
   */
  readonly migrationsRun?: boolean;
  /** Longest initialize waits for another replica's schema creation and migrations (default 5 min). */
  readonly migrationLockTimeoutMs?: number;
  /** Told once per initialize that took the migration lock: what this replica applied, how long it waited. */
  readonly onMigrations?: (event: MigrationsEvent) => void;
  /** The app's own migrations, run after the platform's. */
  readonly migrations?: ReadonlyArray<new () => MigrationInterface>;
  readonly entities?: PostgresDataSourceOptions['entities'];
  /** Shows in pg_stat_activity; tell apps and relays apart there. */
  readonly applicationName?: string;
  readonly connectTimeoutMs?: number;
  readonly logging?: PostgresDataSourceOptions['logging'];
}

export interface MigrationsEvent {
  readonly schema: string;
  /** Names of the migrations this replica applied, in order; empty when another replica had applied them. */
  readonly applied: readonly string[];
  /** Time spent waiting for the migration lock (another replica migrating shows here). */
  readonly lockWaitMs: number;
}

/**
 * A TypeORM DataSource for Postgres that never synchronizes: the schema changes only through migrations.
 * Connections use the configured schema as their search path, so an app's unqualified SQL lands there too.
 * Call `initialize()` as usual (it creates a missing schema first, then runs migrations when asked).
 */
export function createDataSource(options: PersistenceOptions): DataSource {
  const schema = assertSchemaName(options.schema ?? 'public');
  const dataSourceOptions: PostgresDataSourceOptions = {
    type: 'postgres',
    url: options.url,
    schema,
    poolSize: options.poolSize ?? 10,
    synchronize: false,
    // Driven by PersistenceDataSource.initialize under the migration lock, never by TypeORM's own initialize.
    migrationsRun: false,
    migrations: [...persistenceMigrations, ...(options.migrations ?? [])],
    migrationsTableName: 'typeorm_migrations',
    entities: options.entities ?? [],
    logging: options.logging ?? false,
    ...(options.applicationName === undefined ? {} : { applicationName: options.applicationName }),
    ...(options.connectTimeoutMs === undefined ? {} : { connectTimeoutMS: options.connectTimeoutMs }),
    // Validated above: the name needs no escaping inside a libpq options string.
    extra: { options: `-c search_path=${schema}` },
  };
  return new PersistenceDataSource(dataSourceOptions, {
    createSchema: options.createSchema ?? true,
    migrationsRun: options.migrationsRun ?? false,
    migrationLockTimeoutMs: options.migrationLockTimeoutMs ?? 5 * 60_000,
    onMigrations: options.onMigrations,
  });
}

interface BootSteps {
  readonly createSchema: boolean;
  readonly migrationsRun: boolean;
  readonly migrationLockTimeoutMs: number;
  readonly onMigrations: PersistenceOptions['onMigrations'];
}

class PersistenceDataSource extends DataSource {
  readonly #boot: BootSteps;

  constructor(options: DataSourceOptions, boot: BootSteps) {
    super(options);
    this.#boot = boot;
  }

  // TypeORM creates its migrations table inside the schema before any migration runs, so the schema has to
  // exist before initialize(); doing it here keeps `createDataSource(...).initialize()` the one boot step.
  // Both steps race between replicas booting at once (a duplicate schema, table or migration row), so they
  // run under the schema's migration lock.
  override async initialize(): Promise<this> {
    const { createSchema, migrationsRun, migrationLockTimeoutMs, onMigrations } = this.#boot;
    if (!createSchema && !migrationsRun) return super.initialize();
    const schema = (this.options as PostgresDataSourceOptions).schema ?? 'public';
    return withMigrationLock(pgConfigOf(this), schema, migrationLockTimeoutMs, async (client, lockWaitMs) => {
      if (createSchema) await ensureSchema(client, schema);
      await super.initialize();
      if (!migrationsRun) return this;
      try {
        // 'all' is what TypeORM's own migrationsRun did (migrationsTransactionMode unset): one transaction.
        const applied = await this.runMigrations({ transaction: 'all' });
        onMigrations?.({ schema, applied: applied.map((migration) => migration.name), lockWaitMs });
      } catch (error) {
        // As TypeORM's initialize does when a boot step fails: no pool left behind.
        await this.destroy().catch(() => undefined);
        throw error;
      }
      return this;
    });
  }
}

/** Production roles often may not CREATE in the database, and CREATE SCHEMA IF NOT EXISTS checks that
 * privilege even when the schema exists: look first. */
async function ensureSchema(client: pg.Client, schema: string): Promise<void> {
  const found = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
  if (found.rowCount === 0) await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
}

/** Connection settings of a DataSource for a dedicated `pg.Client` outside its pool (the relay's lock
 * connection), so that callers configure Postgres once. */
export function pgConfigOf(dataSource: DataSource): pg.ClientConfig {
  const o = dataSource.options as PostgresDataSourceOptions;
  if (o.type !== 'postgres') throw new Error(`Expected a postgres DataSource, got ${o.type}`);
  const config: pg.ClientConfig = {
    ...(o.url === undefined ? {} : { connectionString: o.url }),
    ...(o.host === undefined ? {} : { host: o.host }),
    ...(o.port === undefined ? {} : { port: o.port }),
    ...(o.username === undefined ? {} : { user: o.username }),
    ...(o.password === undefined ? {} : { password: o.password }),
    ...(o.database === undefined ? {} : { database: o.database }),
    // TypeORM types ssl as server-side TlsOptions; pg passes the same object to tls.connect.
    ...(o.ssl === undefined ? {} : { ssl: o.ssl as pg.ClientConfig['ssl'] }),
    ...(o.applicationName === undefined ? {} : { application_name: o.applicationName }),
    ...(o.connectTimeoutMS === undefined ? {} : { connectionTimeoutMillis: o.connectTimeoutMS }),
  };
  const extra = (o.extra ?? {}) as Record<string, unknown>;
  if (typeof extra['options'] === 'string') config.options = extra['options'];
  return config;
}

/** The schema the DataSource's tables live in (known after initialize). */
export function schemaOf(dataSource: DataSource): string {
  return dataSource.driver.schema ?? (dataSource.options as PostgresDataSourceOptions).schema ?? 'public';
}
