import type { DataSource } from 'typeorm';
import { issueApiKey } from './api-key.js';
import type { ApiKeyScope } from './api-key.js';

export interface ApiKeyRecord {
  readonly keyId: string;
  readonly name: string;
  readonly tokenHash: string;
  readonly scopes: readonly string[];
  readonly createdBy: string;
  readonly createdAt: Date;
  readonly expiresAt: Date | null;
  readonly revokedAt: Date | null;
  readonly replacedBy: string | null;
}

interface ApiKeyRow {
  key_id: string;
  name: string;
  token_hash: string;
  scopes: string[];
  created_by: string;
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
  replaced_by: string | null;
}

const columns =
  'key_id, name, token_hash, scopes, created_by, created_at, expires_at, revoked_at, replaced_by';

/** The `api_keys` table. Unqualified names: the DataSource's search path is the app's schema. */
export class ApiKeysRepository {
  constructor(private readonly dataSource: DataSource) {}

  async find(keyId: string): Promise<ApiKeyRecord | undefined> {
    const rows = (await this.dataSource.query(`SELECT ${columns} FROM api_keys WHERE key_id = $1`, [
      keyId,
    ])) as ApiKeyRow[];
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  /** Creates a key and returns its token, which is not stored and cannot be shown again. */
  async create(input: {
    name: string;
    scopes: readonly ApiKeyScope[];
    createdBy: string;
    expiresAt?: Date;
  }): Promise<{ token: string; record: ApiKeyRecord }> {
    const issued = issueApiKey();
    const rows = (await this.dataSource.query(
      `INSERT INTO api_keys (key_id, name, token_hash, scopes, created_by, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${columns}`,
      [issued.keyId, input.name, issued.tokenHash, input.scopes, input.createdBy, input.expiresAt ?? null],
    )) as ApiKeyRow[];
    return { token: issued.token, record: toRecord(rows[0]!) };
  }

  async revoke(keyId: string): Promise<boolean> {
    // Counted in a CTE: TypeORM answers a bare UPDATE with [rows, count], not rows.
    const rows = (await this.dataSource.query(
      `WITH revoked AS (UPDATE api_keys SET revoked_at = now() WHERE key_id = $1 AND revoked_at IS NULL RETURNING 1)
       SELECT count(*)::int AS n FROM revoked`,
      [keyId],
    )) as Array<{ n: number }>;
    return (rows[0]?.n ?? 0) > 0;
  }
}

function toRecord(row: ApiKeyRow): ApiKeyRecord {
  return {
    keyId: row.key_id,
    name: row.name,
    tokenHash: row.token_hash,
    scopes: row.scopes,
    createdBy: row.created_by,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    replacedBy: row.replaced_by,
  };
}
