import pg from 'pg';
import { stackFromEnv } from './stack-from-env.js';
import { uniqueName } from './unique-name.js';

export interface TestDatabase {
  /** Connection string of the new database (same server and credentials as DATABASE_URL). */
  url: string;
  name: string;
  /** Drops the database, ending any connection a test left open. */
  drop(): Promise<void>;
}

/**
 * A fresh, empty database per test file, so files run in parallel without seeing each other's rows,
 * migrations or LISTEN/NOTIFY traffic. Call drop() in afterAll.
 */
export async function createTestDatabase(
  options: { prefix?: string; adminUrl?: string } = {},
): Promise<TestDatabase> {
  const adminUrl = options.adminUrl ?? stackFromEnv().postgres.url;
  const name = uniqueName(options.prefix ?? 'test').replace(/[.-]/g, '_');
  await withClient(adminUrl, (client) => client.query(`create database ${quoteIdent(name)}`));
  const url = withDatabase(adminUrl, name);
  return {
    url,
    name,
    drop: () =>
      withClient(adminUrl, (client) =>
        client.query(`drop database if exists ${quoteIdent(name)} with (force)`),
      ).then(() => undefined),
  };
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
