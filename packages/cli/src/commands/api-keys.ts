import { createHash, randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';

/**
 * `tributary api-keys create|rotate|revoke|list`: manages the keys of the ingestion API in its database
 * (DATABASE_URL, DATABASE_SCHEMA). The table and the token format are ingestion's (apps/ingestion
 * src/api-keys): `trb_<16 hex key id>_<43 base64url secret>`, stored as the hex sha256 of the whole token.
 * The token is printed once and never stored. api-keys.spec.ts pins the same vector as ingestion's tests.
 */

export const API_KEY_SCOPES = ['events:publish', 'events:read', 'events:replay'] as const;

export interface ApiKeysCommandOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly log: (line: string) => void;
  /** Who runs the command, for created_by (default: $USER). */
  readonly actor?: string;
}

export const apiKeysUsage = `usage: tributary api-keys <command>     (DATABASE_URL, DATABASE_SCHEMA: the ingestion database)
  create --name <client> --scopes <scope,...> [--expires-in <30d|12h|...>]   prints the new key once
  rotate <key id> [--overlap <24h>]     new key, same name and scopes; the old one expires after the overlap
  revoke <key id>                       refused from now on (ingestion caches keys for a few seconds)
  list [--all]                          active keys (--all: also revoked and expired)
scopes: ${API_KEY_SCOPES.join(', ')}`;

export function issueToken(random: (size: number) => Buffer = randomBytes): {
  keyId: string;
  token: string;
  tokenHash: string;
} {
  const keyId = random(8).toString('hex');
  const token = `trb_${keyId}_${random(32).toString('base64url')}`;
  return { keyId, token, tokenHash: hashToken(token) };
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

const units: Readonly<Record<string, number>> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90d`, `12h`, `30m` → milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+)([mhd])$/.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a duration like 30m, 12h or 90d`);
  return Number(match[1]) * units[match[2]!]!;
}

export function parseScopes(text: string): string[] {
  const scopes = [
    ...new Set(
      text
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
  const unknown = scopes.filter((s) => !(API_KEY_SCOPES as readonly string[]).includes(s));
  if (scopes.length === 0 || unknown.length > 0) {
    throw new Error(
      `scopes must be some of ${API_KEY_SCOPES.join(', ')}${unknown.length ? `; unknown: ${unknown.join(', ')}` : ''}`,
    );
  }
  return scopes;
}

export async function apiKeysCommand(
  args: readonly string[],
  options: ApiKeysCommandOptions,
): Promise<number> {
  const { positionals, values } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      scopes: { type: 'string' },
      'expires-in': { type: 'string' },
      overlap: { type: 'string', default: '24h' },
      all: { type: 'boolean', default: false },
    },
  });
  const [command, keyId] = positionals;
  if (!command || !['create', 'rotate', 'revoke', 'list'].includes(command)) {
    options.log(apiKeysUsage);
    return command ? 2 : 0;
  }
  const url = options.env['DATABASE_URL'];
  if (!url) throw new Error('DATABASE_URL is not set (the ingestion database)');
  const schema = options.env['DATABASE_SCHEMA'] ?? 'public';
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`DATABASE_SCHEMA "${schema}" is not a schema name`);
  const actor = options.actor ?? options.env['USER'] ?? 'cli';
  const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
  await client.connect();
  try {
    switch (command) {
      case 'create': {
        if (!values.name) throw new Error('--name is required (the client, e.g. orders-service)');
        const scopes = parseScopes(values.scopes ?? '');
        const expiresAt = values['expires-in']
          ? new Date(Date.now() + parseDuration(values['expires-in']))
          : null;
        const issued = issueToken();
        await client.query(
          `INSERT INTO api_keys (key_id, name, token_hash, scopes, created_by, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
          [issued.keyId, values.name, issued.tokenHash, scopes, actor, expiresAt],
        );
        options.log(
          `created ${issued.keyId} for ${values.name} (${scopes.join(', ')})${expiresAt ? `, expires ${expiresAt.toISOString()}` : ''}`,
        );
        options.log(`key (shown once): ${issued.token}`);
        return 0;
      }
      case 'rotate': {
        if (!keyId) throw new Error('rotate needs the key id');
        const overlapMs = parseDuration(values.overlap ?? '24h');
        const issued = issueToken();
        await client.query('BEGIN');
        const old = await client.query<{ name: string; scopes: string[]; expires_at: Date | null }>(
          `SELECT name, scopes, expires_at FROM api_keys WHERE key_id = $1 AND revoked_at IS NULL FOR UPDATE`,
          [keyId],
        );
        const row = old.rows[0];
        if (!row) {
          await client.query('ROLLBACK');
          throw new Error(`no active key ${keyId}`);
        }
        await client.query(
          `INSERT INTO api_keys (key_id, name, token_hash, scopes, created_by, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
          [issued.keyId, row.name, issued.tokenHash, row.scopes, actor, row.expires_at],
        );
        // The old key keeps working for the overlap (never longer than it already would), then expires.
        await client.query(
          `UPDATE api_keys SET replaced_by = $2,
             expires_at = LEAST(COALESCE(expires_at, 'infinity'), now() + make_interval(secs => $3))
           WHERE key_id = $1`,
          [keyId, issued.keyId, overlapMs / 1000],
        );
        await client.query('COMMIT');
        options.log(
          `rotated ${keyId} → ${issued.keyId} (${row.name}); ${keyId} expires in ${values.overlap}`,
        );
        options.log(`key (shown once): ${issued.token}`);
        return 0;
      }
      case 'revoke': {
        if (!keyId) throw new Error('revoke needs the key id');
        const result = await client.query(
          `UPDATE api_keys SET revoked_at = now() WHERE key_id = $1 AND revoked_at IS NULL`,
          [keyId],
        );
        if (result.rowCount === 0) throw new Error(`no active key ${keyId}`);
        options.log(`revoked ${keyId}`);
        return 0;
      }
      default: {
        const rows = await client.query<{
          key_id: string;
          name: string;
          scopes: string[];
          created_at: Date;
          expires_at: Date | null;
          revoked_at: Date | null;
          replaced_by: string | null;
        }>(
          `SELECT key_id, name, scopes, created_at, expires_at, revoked_at, replaced_by FROM api_keys
           WHERE $1 OR (revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now()))
           ORDER BY name, created_at`,
          [values.all],
        );
        for (const r of rows.rows) {
          const state = r.revoked_at
            ? `revoked ${r.revoked_at.toISOString()}`
            : r.expires_at
              ? `${r.expires_at > new Date() ? 'expires' : 'expired'} ${r.expires_at.toISOString()}`
              : 'no expiry';
          options.log(
            `${r.key_id}  ${r.name}  ${r.scopes.join(',')}  ${state}${r.replaced_by ? `  replaced by ${r.replaced_by}` : ''}`,
          );
        }
        if (rows.rows.length === 0) options.log('no keys');
        return 0;
      }
    }
  } finally {
    await client.end();
  }
}
