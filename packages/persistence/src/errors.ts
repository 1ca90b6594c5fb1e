import { TributaryError } from '@tributary/contracts';

/** Stable codes of this package's errors (docs/architecture.md#retries-and-dead-letters). */
export const PersistenceErrorCode = {
  invalidSchema: 'PERSISTENCE_INVALID_SCHEMA',
  outboxRequiresTransaction: 'OUTBOX_REQUIRES_TRANSACTION',
  outboxInvalidRecord: 'OUTBOX_INVALID_RECORD',
  outboxDuplicateEvent: 'OUTBOX_DUPLICATE_EVENT',
  outboxNoEncoder: 'OUTBOX_NO_ENCODER',
  inboxInvalidKey: 'INBOX_INVALID_KEY',
  externalRefInvalid: 'EXTERNAL_REF_INVALID',
  auditInvalidEntry: 'AUDIT_INVALID_ENTRY',
  migrationLockTimeout: 'PERSISTENCE_MIGRATION_LOCK_TIMEOUT',
  clusterLockInvalid: 'PERSISTENCE_CLUSTER_LOCK_INVALID',
  retentionConfigInvalid: 'PERSISTENCE_RETENTION_CONFIG_INVALID',
} as const;

/** SQLSTATE of a failed query, whether it comes straight from pg or wrapped by TypeORM's QueryFailedError. */
export function sqlStateOf(error: unknown): string | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const e = error as { code?: unknown; driverError?: { code?: unknown } };
  if (typeof e.driverError?.code === 'string') return e.driverError.code;
  return typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) ? e.code : undefined;
}

export const SqlState = { uniqueViolation: '23505', lockNotAvailable: '55P03' } as const;

export function invalid(code: string, message: string): TributaryError {
  return new TributaryError(code, message, { retriable: false });
}
