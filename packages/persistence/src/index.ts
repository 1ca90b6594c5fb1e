export { createDataSource, pgConfigOf, schemaOf } from './data-source.js';
export type { MigrationsEvent, PersistenceOptions } from './data-source.js';
export { clusterLockName, withClusterLock } from './cluster-lock.js';
export type { ClusterLockOutcome } from './cluster-lock.js';
export { persistenceMigrations } from './migrations/index.js';
export { namesFor } from './names.js';
export type { OutboxNames } from './names.js';
export { PersistenceErrorCode } from './errors.js';
export { Outbox } from './outbox/outbox.js';
export type { OutboxOptions, OutboxStatement, OutboxStatementOptions } from './outbox/outbox.js';
export { OutboxRelay } from './outbox/outbox-relay.js';
export type { OutboxRelayOptions, RelayEvent } from './outbox/outbox-relay.options.js';
export { withInbox, withInboxBatch } from './inbox/inbox.js';
export { PostgresKeyParking } from './key-parking/postgres-key-parking.js';
export type { InboxOutcome } from './inbox/inbox.js';
export { ExternalRefRepository } from './external-refs/external-ref.repository.js';
export type { ExternalKey, ExternalRef } from './external-refs/external-ref.repository.js';
export { AuditLog } from './audit/audit-log.js';
export type { AuditEntry, AuditQuery, AuditRecord } from './audit/audit-log.js';
export { RetentionJob } from './retention/retention-job.js';
export type {
  RetentionEvent,
  RetentionJobOptions,
  RetentionPolicy,
  RetentionRun,
} from './retention/retention-job.js';
export { affectedRows, platformRetentionPolicies } from './retention/platform-retention.js';
export {
  inboxRetentionFloorFor,
  inboxRetentionFloorMs,
  retentionConfigFrom,
  retentionConfigOf,
  retentionEnv,
} from './retention/retention-config.js';
export type { RetentionConfig } from './retention/retention-config.js';
