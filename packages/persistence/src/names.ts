import { invalid, PersistenceErrorCode } from './errors.js';

/**
 * Where the persistence tables of one DataSource live, and the names derived from that place. Everything is
 * derived from the schema so that two services (or two tests) sharing a database never wake, lock or read
 * each other's outbox.
 */
export interface OutboxNames {
  readonly schema: string;
  /** Schema-qualified, quoted table names, safe to splice into SQL. */
  readonly outboxTable: string;
  readonly inboxTable: string;
  readonly externalRefsTable: string;
  readonly auditLogTable: string;
  readonly parkedKeysTable: string;
  readonly parkedRecordsTable: string;
  /** Prefix of the advisory lock keys that let one process at a time release a parked key. */
  readonly parkingLockPrefix: string;
  /** LISTEN/NOTIFY channel the writer notifies and the relay listens on. */
  readonly channel: string;
  /** Text hashed into the advisory lock key that elects the one active relay. */
  readonly relayLockName: string;
  /** Value of the `outbox` metric label. */
  readonly metricLabel: string;
}

// Postgres truncates identifiers (and so channel names) beyond 63 bytes; a silently truncated channel would
// still work for LISTEN but not for pg_notify, which rejects it. Lower-case ASCII keeps quoting trivial and
// lets the schema travel inside a libpq `-c search_path=` option without escaping.
const schemaPattern = /^[a-z_][a-z0-9_]{0,62}$/;

export function assertSchemaName(schema: string): string {
  if (!schemaPattern.test(schema)) {
    throw invalid(
      PersistenceErrorCode.invalidSchema,
      `Schema name ${JSON.stringify(schema)} must match ${schemaPattern.source} (lower-case letters, digits, _).`,
    );
  }
  return schema;
}

export function quoteIdent(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}

export function namesFor(schema: string): OutboxNames {
  assertSchemaName(schema);
  const q = (table: string) => `${quoteIdent(schema)}.${quoteIdent(table)}`;
  return {
    schema,
    outboxTable: q('outbox'),
    inboxTable: q('inbox'),
    externalRefsTable: q('external_refs'),
    auditLogTable: q('audit_log'),
    parkedKeysTable: q('parked_keys'),
    parkedRecordsTable: q('parked_records'),
    parkingLockPrefix: `tributary.parking:${schema}:`,
    // 63 bytes at most: "tributary_outbox." (17) + schema (≤ 63) could exceed it, so long schemas are shortened
    // with a hash suffix that keeps distinct schemas on distinct channels.
    channel: channelFor(schema),
    relayLockName: `tributary.outbox-relay:${schema}`,
    metricLabel: schema,
  };
}

function channelFor(schema: string): string {
  const channel = `tributary_outbox.${schema}`;
  if (channel.length <= 63) return channel;
  return `${channel.slice(0, 54)}.${fnv1a32(schema).toString(16).padStart(8, '0')}`;
}

function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
