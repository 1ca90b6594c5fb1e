import type { DataSource, EntityManager } from 'typeorm';
import { schemaOf } from '../data-source.js';
import { invalid, PersistenceErrorCode } from '../errors.js';
import { namesFor } from '../names.js';

/** A manual action: who did what to which target, and why (docs/architecture.md#retries-and-dead-letters). */
export interface AuditEntry {
  readonly actor: string;
  readonly action: string;
  readonly reason: string;
  readonly target: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

export interface AuditRecord extends Required<AuditEntry> {
  readonly id: string;
  readonly at: Date;
}

export interface AuditQuery {
  readonly target?: string;
  readonly actor?: string;
  readonly action?: string;
  /** Newest first; default 100. */
  readonly limit?: number;
}

interface AuditRow {
  id: string;
  actor: string;
  action: string;
  reason: string;
  target: string;
  details: Record<string, unknown>;
  at: Date;
}

/** Append-only audit trail. Pass the action's EntityManager so the entry commits with the action. */
export class AuditLog {
  constructor(private readonly dataSource: DataSource) {}

  async record(entry: AuditEntry, manager?: EntityManager): Promise<AuditRecord> {
    for (const field of ['actor', 'action', 'reason', 'target'] as const) {
      const value = entry[field];
      if (typeof value !== 'string' || value.trim().length === 0) {
        throw invalid(PersistenceErrorCode.auditInvalidEntry, `Audit entry needs a non-empty ${field}.`);
      }
    }
    const rows = (await (manager ?? this.dataSource).query(
      `INSERT INTO ${this.#table()} (actor, action, reason, target, details) VALUES ($1, $2, $3, $4, $5::jsonb)
       RETURNING id, actor, action, reason, target, details, at`,
      [entry.actor, entry.action, entry.reason, entry.target, JSON.stringify(entry.details ?? {})],
    )) as AuditRow[];
    return rows[0]!;
  }

  async list(query: AuditQuery = {}, manager?: EntityManager): Promise<AuditRecord[]> {
    return (await (manager ?? this.dataSource).query(
      `SELECT id, actor, action, reason, target, details, at FROM ${this.#table()}
       WHERE ($1::text IS NULL OR target = $1) AND ($2::text IS NULL OR actor = $2) AND ($3::text IS NULL OR action = $3)
       ORDER BY at DESC, id DESC
       LIMIT $4`,
      [query.target ?? null, query.actor ?? null, query.action ?? null, query.limit ?? 100],
    )) as AuditRow[];
  }

  #table(): string {
    return namesFor(schemaOf(this.dataSource)).auditLogTable;
  }
}
