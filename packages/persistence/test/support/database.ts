import pg from 'pg';
import type { DataSource } from 'typeorm';
import { createDataSource, type PersistenceOptions } from '../../src/index.js';
import { requireEnv, uniqueSuffix } from './env.js';

export interface TestSchema {
  readonly url: string;
  readonly schema: string;
  /** Initialized and migrated. */
  readonly dataSource: DataSource;
  /** A plain client for assertions and for tearing things down, outside the DataSource's pool. */
  readonly admin: pg.Client;
  dispose(): Promise<void>;
}

/** Each test file works in its own schema of the shared database and drops it afterwards. */
export async function createTestSchema(
  prefix: string,
  options: Partial<PersistenceOptions> = {},
): Promise<TestSchema> {
  const url = requireEnv('DATABASE_URL');
  const schema = `t_${prefix}_${uniqueSuffix()}`;
  const dataSource = createDataSource({ url, schema, poolSize: 4, migrationsRun: true, ...options });
  await dataSource.initialize();
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  return {
    url,
    schema,
    dataSource,
    admin,
    async dispose() {
      await dataSource.destroy().catch(() => undefined);
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    },
  };
}
