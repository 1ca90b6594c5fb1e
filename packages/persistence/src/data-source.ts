import pg from 'pg';
import { DataSource, type DataSourceOptions, type MigrationInterface } from 'typeorm';
import { assertSchemaName } from './names.js';
import { persistenceMigrations } from './migrations/index.js';

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
  /** Run pending migrations on initialize (default false: production runs them as a deploy step). */
  readonly migrationsRun?: boolean;
  /** The app's own migrations, run after the platform's. */
  readonly migrations?: ReadonlyArray<new () => MigrationInterface>;
  readonly entities?: PostgresDataSourceOptions['entities'];
  /** Shows in pg_stat_activity; tell apps and relays apart there. */
  readonly applicationName?: string;
  readonly connectTimeoutMs?: number;
  readonly logging?: PostgresDataSourceOptions['logging'];
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
    migrationsRun: options.migrationsRun ?? false,
    migrations: [...persistenceMigrations, ...(options.migrations ?? [])],
    migrationsTableName: 'typeorm_migrations',
    entities: options.entities ?? [],
    logging: options.logging ?? false,
    ...(options.applicationName === undefined ? {} : { applicationName: options.applicationName }),
    ...(options.connectTimeoutMs === undefined ? {} : { connectTimeoutMS: options.connectTimeoutMs }),
    // Validated above: the name needs no escaping inside a libpq options string.
    extra: { options: `-c search_path=${schema}` },
  };
  return new PersistenceDataSource(dataSourceOptions, options.createSchema ?? true);
}

class PersistenceDataSource extends DataSource {
  readonly #createSchema: boolean;

  constructor(options: DataSourceOptions, createSchema: boolean) {
    super(options);
    this.#createSchema = createSchema;
  }

  // TypeORM creates its migrations table inside the schema before any migration runs, so the schema has to
  // exist before initialize(); doing it here keeps `createDataSource(...).initialize()` the one boot step.
  override async initialize(): Promise<this> {
    const schema = (this.options as PostgresDataSourceOptions).schema ?? 'public';
    if (this.#createSchema) await ensureSchema(pgConfigOf(this), schema);
    return super.initialize();
  }
}

/** Production roles often may not CREATE in the database, and CREATE SCHEMA IF NOT EXISTS checks that
 * privilege even when the schema exists: look first. */
async function ensureSchema(config: pg.ClientConfig, schema: string): Promise<void> {
  const client = new pg.Client(config);
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    if (found.rowCount === 0) await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  } finally {
    await client.end();
  }
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
