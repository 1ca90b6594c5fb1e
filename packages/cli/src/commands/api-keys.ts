import { parseArgs } from 'node:util';
import { createDataSource } from '@tributary/persistence';
import { ApiKeyStore } from '@tributary/service-kit/api-keys';
import type { ApiKeyRecord } from '@tributary/service-kit/api-keys';
import { apiScopes } from '../generated/api-scopes.js';
import type { ApiService } from '../generated/api-scopes.js';

/**
 * `tributary api-keys create|rotate|revoke|list`: manages the API keys of a service (ingestion by default,
 * `--service dlq-handler` for the DLQ console and API) in that service's own `api_keys` table
 * (DATABASE_URL, DATABASE_SCHEMA), through the service kit's ApiKeyStore: the same token format, hashing
 * and audit entries as the services themselves. The token is printed once and never stored.
 */

export interface ApiKeysCommandOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly log: (line: string) => void;
  /** Who runs the command, for created_by and the audit log (default: $USER). */
  readonly actor?: string;
}

const services = Object.keys(apiScopes) as ApiService[];

export const apiKeysUsage = `usage: tributary api-keys <command> [--service ${services.join('|')}]   (default ingestion)
  (DATABASE_URL, DATABASE_SCHEMA: that service's database; a running \`npm run dev\` session fills them in)
  create --name <client> --scopes <scope,...> [--expires-in <30d|12h|...>]   prints the new key once
  rotate <key id> [--overlap <24h>]     new key, same name and scopes; the old one expires after the overlap
  revoke <key id>                       refused from now on (services cache keys for a few seconds)
  list [--all]                          active keys (--all: also revoked and expired)
  --reason <text>                       kept in the audit log with the change
scopes: ${services.map((service) => `${service}: ${apiScopes[service].join(', ')}`).join('; ')}`;

const units: Readonly<Record<string, number>> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90d`, `12h`, `30m` → milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+)([mhd])$/.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a duration like 30m, 12h or 90d`);
  return Number(match[1]) * units[match[2]!]!;
}

export function parseScopes(text: string): string[] {
  return [
    ...new Set(
      text
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
}

export function serviceOf(name: string | undefined): ApiService {
  const service = name ?? 'ingestion';
  if (!(services as string[]).includes(service)) {
    throw new Error(`--service must be one of ${services.join(', ')}, not "${service}"`);
  }
  return service as ApiService;
}

export async function apiKeysCommand(
  args: readonly string[],
  options: ApiKeysCommandOptions,
): Promise<number> {
  const { positionals, values } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      service: { type: 'string' },
      name: { type: 'string' },
      scopes: { type: 'string' },
      'expires-in': { type: 'string' },
      overlap: { type: 'string', default: '24h' },
      reason: { type: 'string' },
      all: { type: 'boolean', default: false },
    },
  });
  const [command, keyId] = positionals;
  if (!command || !['create', 'rotate', 'revoke', 'list'].includes(command)) {
    options.log(apiKeysUsage);
    return command ? 2 : 0;
  }
  const service = serviceOf(values.service);
  const url = options.env['DATABASE_URL'];
  if (!url) throw new Error(`DATABASE_URL is not set (the ${service} database)`);
  const schema = options.env['DATABASE_SCHEMA'] ?? 'public';
  const actor = options.actor ?? options.env['USER'] ?? 'cli';
  const reason = values.reason === undefined ? {} : { reason: values.reason };
  const dataSource = await createDataSource({ url, schema, createSchema: false, poolSize: 1 }).initialize();
  try {
    const store = new ApiKeyStore(dataSource, { scopes: apiScopes[service] });
    await assertTable(dataSource, service, schema);
    switch (command) {
      case 'create': {
        if (!values.name) throw new Error('--name is required (the client, e.g. orders-service)');
        const expiresAt = values['expires-in']
          ? new Date(Date.now() + parseDuration(values['expires-in']))
          : undefined;
        const issued = await store.create({
          name: values.name,
          scopes: parseScopes(values.scopes ?? ''),
          actor,
          ...(expiresAt ? { expiresAt } : {}),
          ...reason,
        });
        const { record } = issued;
        options.log(
          `created ${record.keyId} for ${record.name} on ${service} (${record.scopes.join(', ')})${expiresAt ? `, expires ${expiresAt.toISOString()}` : ''}`,
        );
        options.log(`key (shown once): ${issued.token}`);
        return 0;
      }
      case 'rotate': {
        if (!keyId) throw new Error('rotate needs the key id');
        const rotated = await store.rotate(keyId, {
          overlapMs: parseDuration(values.overlap ?? '24h'),
          actor,
          ...reason,
        });
        options.log(
          `rotated ${keyId} → ${rotated.record.keyId} (${rotated.record.name}); ${keyId} expires ${rotated.previous.expiresAt?.toISOString()}`,
        );
        options.log(`key (shown once): ${rotated.token}`);
        return 0;
      }
      case 'revoke': {
        if (!keyId) throw new Error('revoke needs the key id');
        await store.revoke(keyId, { actor, ...reason });
        options.log(`revoked ${keyId}`);
        return 0;
      }
      default: {
        const keys = await store.list({ all: values.all });
        for (const key of keys) options.log(describeKey(key));
        if (keys.length === 0) options.log('no keys');
        return 0;
      }
    }
  } finally {
    await dataSource.destroy();
  }
}

export function describeKey(key: ApiKeyRecord, now = new Date()): string {
  const state = key.revokedAt
    ? `revoked ${key.revokedAt.toISOString()}`
    : key.expiresAt
      ? `${key.expiresAt > now ? 'expires' : 'expired'} ${key.expiresAt.toISOString()}`
      : 'no expiry';
  return `${key.keyId}  ${key.name}  ${key.scopes.join(',')}  ${state}${key.replacedBy ? `  replaced by ${key.replacedBy}` : ''}`;
}

/** A missing table means the wrong database or schema, or a service that never started: say which. */
async function assertTable(
  dataSource: { query: (sql: string, params: unknown[]) => Promise<unknown> },
  service: string,
  schema: string,
): Promise<void> {
  const rows = (await dataSource.query(`SELECT to_regclass($1) AS found`, [
    `"${schema}".api_keys`,
  ])) as Array<{
    found: string | null;
  }>;
  if (!rows[0]?.found) {
    throw new Error(
      `no api_keys table in schema "${schema}": set DATABASE_SCHEMA to ${service}'s schema, or start ${service} once (it creates its tables)`,
    );
  }
}
