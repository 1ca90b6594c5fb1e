import { TributaryError } from '@tributary/contracts';
import { AuditLog } from '@tributary/persistence';
import type { DataSource, EntityManager } from 'typeorm';
import { issueApiKey } from './api-key.js';

export const ApiKeyErrorCode = {
  notFound: 'API_KEY_NOT_FOUND',
  scopeUnknown: 'API_KEY_SCOPE_UNKNOWN',
  requestInvalid: 'API_KEY_REQUEST_INVALID',
} as const;

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

/** A new key: the token is shown once and never stored. */
export interface IssuedKey {
  readonly token: string;
  readonly record: ApiKeyRecord;
}

export interface ApiKeyStoreOptions {
  /** The scopes this service's routes ask for; a key can hold only these. */
  readonly scopes: readonly string[];
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

/**
 * The API keys of one service, in its schema's `api_keys` table. Every change is written to the audit log
 * in the same transaction, naming who made it: a key that appears, rotates or is revoked always has an
 * author. The service reads; the CLI (`tributary api-keys`) and tests write through this class, never
 * through SQL of their own.
 */
export class ApiKeyStore {
  readonly #audit: AuditLog;

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: ApiKeyStoreOptions,
  ) {
    this.#audit = new AuditLog(dataSource);
  }

  get scopes(): readonly string[] {
    return this.options.scopes;
  }

  async find(keyId: string): Promise<ApiKeyRecord | undefined> {
    const rows = (await this.dataSource.query(`SELECT ${columns} FROM api_keys WHERE key_id = $1`, [
      keyId,
    ])) as ApiKeyRow[];
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  /** Active keys by name, then age; `all` adds revoked and expired ones. */
  async list(options: { all?: boolean } = {}): Promise<ApiKeyRecord[]> {
    const rows = (await this.dataSource.query(
      `SELECT ${columns} FROM api_keys
       WHERE $1 OR (revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now()))
       ORDER BY name, created_at`,
      [options.all ?? false],
    )) as ApiKeyRow[];
    return rows.map(toRecord);
  }

  async create(input: {
    readonly name: string;
    readonly scopes: readonly string[];
    readonly actor: string;
    readonly expiresAt?: Date;
    readonly reason?: string;
  }): Promise<IssuedKey> {
    const name = input.name.trim();
    if (!/^[a-zA-Z0-9._-]{1,100}$/.test(name)) {
      throw new TributaryError(ApiKeyErrorCode.requestInvalid, `"${input.name}" is not a client name`);
    }
    const scopes = this.checkScopes(input.scopes);
    return this.dataSource.transaction(async (manager) => {
      const issued = await this.insert(manager, {
        name,
        scopes,
        createdBy: input.actor,
        expiresAt: input.expiresAt ?? null,
      });
      await this.#audit.record(
        {
          actor: input.actor,
          action: 'api-key.create',
          reason: input.reason ?? 'issued',
          target: `api-key:${issued.record.keyId}`,
          details: { name, scopes, expiresAt: input.expiresAt?.toISOString() ?? null },
        },
        manager,
      );
      return issued;
    });
  }

  /**
   * A new key with the same name and scopes. The old one keeps working for `overlapMs` (never longer than
   * it already would), so a client switches without a failed call.
   */
  async rotate(
    keyId: string,
    input: { readonly overlapMs: number; readonly actor: string; readonly reason?: string },
  ): Promise<IssuedKey & { readonly previous: ApiKeyRecord }> {
    return this.dataSource.transaction(async (manager) => {
      const rows = (await manager.query(
        `SELECT ${columns} FROM api_keys WHERE key_id = $1 AND revoked_at IS NULL FOR UPDATE`,
        [keyId],
      )) as ApiKeyRow[];
      if (!rows[0]) throw new TributaryError(ApiKeyErrorCode.notFound, `no active key ${keyId}`);
      const old = toRecord(rows[0]);
      const issued = await this.insert(manager, {
        name: old.name,
        scopes: old.scopes,
        createdBy: input.actor,
        expiresAt: old.expiresAt,
      });
      const updated = (await manager.query(
        `UPDATE api_keys SET replaced_by = $2,
           expires_at = LEAST(COALESCE(expires_at, 'infinity'), now() + make_interval(secs => $3))
         WHERE key_id = $1 RETURNING ${columns}`,
        [keyId, issued.record.keyId, input.overlapMs / 1000],
      )) as [ApiKeyRow[], number];
      await this.#audit.record(
        {
          actor: input.actor,
          action: 'api-key.rotate',
          reason: input.reason ?? 'rotated',
          target: `api-key:${keyId}`,
          details: { successor: issued.record.keyId, overlapSeconds: input.overlapMs / 1000 },
        },
        manager,
      );
      return { ...issued, previous: toRecord(updated[0][0]!) };
    });
  }

  /** Refused from now on (services cache keys for API_KEY_CACHE_TTL_MS). */
  async revoke(keyId: string, input: { readonly actor: string; readonly reason?: string }): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const revoked = (await manager.query(
        `UPDATE api_keys SET revoked_at = now() WHERE key_id = $1 AND revoked_at IS NULL RETURNING key_id`,
        [keyId],
      )) as [unknown[], number];
      if (revoked[1] === 0) throw new TributaryError(ApiKeyErrorCode.notFound, `no active key ${keyId}`);
      await this.#audit.record(
        {
          actor: input.actor,
          action: 'api-key.revoke',
          reason: input.reason ?? 'revoked',
          target: `api-key:${keyId}`,
        },
        manager,
      );
    });
  }

  private checkScopes(scopes: readonly string[]): string[] {
    const unique = [...new Set(scopes)];
    const unknown = unique.filter((scope) => !this.options.scopes.includes(scope));
    if (unique.length === 0 || unknown.length > 0) {
      throw new TributaryError(
        ApiKeyErrorCode.scopeUnknown,
        `scopes must be some of ${this.options.scopes.join(', ')}${unknown.length ? `; unknown: ${unknown.join(', ')}` : ''}`,
      );
    }
    return unique;
  }

  private async insert(
    manager: EntityManager,
    input: { name: string; scopes: readonly string[]; createdBy: string; expiresAt: Date | null },
  ): Promise<IssuedKey> {
    const issued = issueApiKey();
    const rows = (await manager.query(
      `INSERT INTO api_keys (key_id, name, token_hash, scopes, created_by, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${columns}`,
      [issued.keyId, input.name, issued.tokenHash, input.scopes, input.createdBy, input.expiresAt],
    )) as ApiKeyRow[];
    return { token: issued.token, record: toRecord(rows[0]!) };
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
