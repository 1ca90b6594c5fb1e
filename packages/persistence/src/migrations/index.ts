import type { MigrationInterface } from 'typeorm';
import { CreateOutbox1764201600000 } from './1764201600000-outbox.migration.js';
import { CreateInbox1764201600001 } from './1764201600001-inbox.migration.js';
import { CreateExternalRefs1764201600002 } from './1764201600002-external-refs.migration.js';
import { CreateAuditLog1764201600003 } from './1764201600003-audit-log.migration.js';
import { CreateKeyParking1765324800000 } from './1765324800000-key-parking.migration.js';
import { AuditLogAtIndex1796515200000 } from './1796515200000-audit-log-at.migration.js';
import { OutboxEventPerTopic1796688000000 } from './1796688000000-outbox-event-per-topic.migration.js';

/** The platform tables, in order. Apps append their own migrations after these. */
export const persistenceMigrations: ReadonlyArray<new () => MigrationInterface> = [
  CreateOutbox1764201600000,
  CreateInbox1764201600001,
  CreateExternalRefs1764201600002,
  CreateAuditLog1764201600003,
  CreateKeyParking1765324800000,
  AuditLogAtIndex1796515200000,
  OutboxEventPerTopic1796688000000,
];
