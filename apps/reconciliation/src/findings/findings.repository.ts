import type { FindingClass, OwnerFields } from '@tributary/contracts';
import type { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { FindingDecision, FindingStatus } from './domain/finding.js';

interface FindingRow {
  id: string;
  entity: string;
  entity_id: string;
  class: FindingClass;
  status: FindingStatus;
  decision: FindingDecision;
  diffs: Array<{ field: string; local: string | null; owner: string | null }>;
  local: Record<string, string | null> | null;
  owner: Record<string, string | null> | null;
  external_id: string | null;
  owner_version: Date | null;
  repair_event_id: string | null;
  first_run_id: string;
  last_run_id: string;
  seen_count: number;
  first_seen_at: Date;
  last_seen_at: Date;
  decided_by: string | null;
  decided_reason: string | null;
}

export interface Finding {
  readonly id: string;
  readonly entity: string;
  readonly entityId: string;
  readonly class: FindingClass;
  readonly status: FindingStatus;
  readonly decision: FindingDecision;
  readonly diffs: ReadonlyArray<{ field: string; local: string | null; owner: string | null }>;
  readonly local: OwnerFields | null;
  readonly owner: OwnerFields | null;
  readonly externalId: string | null;
  readonly ownerVersion: Date | null;
  readonly repairEventId: string | null;
  readonly firstRunId: string;
  readonly lastRunId: string;
  readonly seenCount: number;
  readonly firstSeenAt: Date;
  readonly lastSeenAt: Date;
  readonly decidedBy: string | null;
  readonly decidedReason: string | null;
}

export interface FindingFilter {
  readonly entity?: string;
  readonly class?: FindingClass;
  readonly status?: FindingStatus;
  readonly decision?: FindingDecision;
  readonly runId?: string;
}

const columns = `id, entity, entity_id, class, status, decision, diffs, local, owner, external_id, owner_version,
  repair_event_id, first_run_id, last_run_id, seen_count, first_seen_at, last_seen_at, decided_by, decided_reason`;

/** The `findings` table: every decision about every object that did not simply agree. */
export class FindingsRepository {
  /**
   * Records what a run found about an object: a new open finding, or the open one seen again (its copies,
   * diffs and version brought up to date, its count raised). Returns it with the decision as stored.
   */
  async record(
    manager: EntityManager,
    input: {
      runId: string;
      entity: string;
      entityId: string;
      class: FindingClass;
      decision: FindingDecision;
      diffs: ReadonlyArray<{ field: string; local: string | null; owner: string | null }>;
      local: OwnerFields | null;
      owner: OwnerFields | null;
      externalId: string | null;
      ownerVersion: Date | null;
    },
  ): Promise<Finding> {
    const rows = (await manager.query(
      `INSERT INTO findings (id, entity, entity_id, class, status, decision, diffs, local, owner, external_id,
                             owner_version, first_run_id, last_run_id)
       VALUES ($1, $2, $3, $4, 'open', $5, $6::jsonb, $7::jsonb, $8::jsonb, $9, $10, $11, $11)
       ON CONFLICT (entity, entity_id, class) WHERE status = 'open' DO UPDATE SET
         decision = CASE WHEN findings.last_run_id = EXCLUDED.last_run_id THEN findings.decision ELSE EXCLUDED.decision END,
         diffs = EXCLUDED.diffs, local = EXCLUDED.local, owner = EXCLUDED.owner,
         external_id = EXCLUDED.external_id, owner_version = EXCLUDED.owner_version,
         seen_count = findings.seen_count + CASE WHEN findings.last_run_id = EXCLUDED.last_run_id THEN 0 ELSE 1 END,
         last_run_id = EXCLUDED.last_run_id, last_seen_at = now()
       RETURNING ${columns}`,
      [
        uuidv7(),
        input.entity,
        input.entityId,
        input.class,
        input.decision,
        JSON.stringify(input.diffs),
        input.local && JSON.stringify(input.local),
        input.owner && JSON.stringify(input.owner),
        input.externalId,
        input.ownerVersion,
        input.runId,
      ],
    )) as FindingRow[];
    return toFinding(rows[0]!);
  }

  async decide(
    manager: EntityManager,
    id: string,
    change: {
      decision: FindingDecision;
      status?: FindingStatus;
      repairEventId?: string;
      by?: string;
      reason?: string;
    },
  ): Promise<Finding> {
    const rows = (await manager.query(
      `UPDATE findings SET decision = $2, status = COALESCE($3, status), repair_event_id = COALESCE($4, repair_event_id),
         decided_by = COALESCE($5, decided_by), decided_reason = COALESCE($6, decided_reason)
       WHERE id = $1 RETURNING ${columns}`,
      [
        id,
        change.decision,
        change.status ?? null,
        change.repairEventId ?? null,
        change.by ?? null,
        change.reason ?? null,
      ],
    )) as [FindingRow[], number];
    return toFinding(rows[0][0]!);
  }

  /** These objects agree with their owner now, in the classes named: those open findings are resolved. */
  async resolveOpen(
    manager: EntityManager,
    entity: string,
    entityIds: readonly string[],
    classes: readonly FindingClass[],
  ): Promise<number> {
    if (entityIds.length === 0) return 0;
    const result = (await manager.query(
      `UPDATE findings SET status = 'resolved'
       WHERE entity = $1 AND entity_id = ANY($2::text[]) AND class = ANY($3::text[]) AND status = 'open'`,
      [entity, [...entityIds], [...classes]],
    )) as [unknown[], number];
    return result[1];
  }

  /** How many of a run's findings were reported only (dry run). */
  async countDryRun(manager: EntityManager, runId: string): Promise<number> {
    const rows = (await manager.query(
      `SELECT count(*)::int AS n FROM findings WHERE last_run_id = $1 AND status = 'open' AND decision = 'dry_run'`,
      [runId],
    )) as Array<{ n: number }>;
    return rows[0]!.n;
  }

  /** A run's findings held for the end of the run. */
  async pendingRepairs(manager: EntityManager, runId: string): Promise<Finding[]> {
    const rows = (await manager.query(
      `SELECT ${columns} FROM findings WHERE last_run_id = $1 AND status = 'open' AND decision = 'repair_pending'
       ORDER BY id`,
      [runId],
    )) as FindingRow[];
    return rows.map(toFinding);
  }

  async get(manager: EntityManager, id: string, lock = false): Promise<Finding | undefined> {
    const rows = (await manager.query(
      `SELECT ${columns} FROM findings WHERE id = $1${lock ? ' FOR UPDATE' : ''}`,
      [id],
    )) as FindingRow[];
    return rows[0] && toFinding(rows[0]);
  }

  /** Newest first; `before` is the id of the last finding of the previous page (ids are UUIDv7). */
  async list(
    manager: EntityManager,
    filter: FindingFilter,
    limit: number,
    before?: string,
  ): Promise<Finding[]> {
    const rows = (await manager.query(
      `SELECT ${columns} FROM findings
       WHERE ($1::text IS NULL OR entity = $1) AND ($2::text IS NULL OR class = $2)
         AND ($3::text IS NULL OR status = $3) AND ($4::text IS NULL OR decision = $4)
         AND ($5::uuid IS NULL OR last_run_id = $5 OR first_run_id = $5) AND ($6::uuid IS NULL OR id < $6)
       ORDER BY id DESC LIMIT $7`,
      [
        filter.entity ?? null,
        filter.class ?? null,
        filter.status ?? null,
        filter.decision ?? null,
        filter.runId ?? null,
        before ?? null,
        limit,
      ],
    )) as FindingRow[];
    return rows.map(toFinding);
  }

  /** Open findings by entity and class, for the gauge. */
  async openCounts(manager: EntityManager): Promise<Array<{ entity: string; class: string; count: number }>> {
    return (await manager.query(
      `SELECT entity, class, count(*)::int AS count FROM findings WHERE status = 'open' GROUP BY entity, class`,
    )) as Array<{ entity: string; class: string; count: number }>;
  }
}

function toFinding(row: FindingRow): Finding {
  return {
    id: row.id,
    entity: row.entity,
    entityId: row.entity_id,
    class: row.class,
    status: row.status,
    decision: row.decision,
    diffs: row.diffs,
    local: row.local,
    owner: row.owner,
    externalId: row.external_id,
    ownerVersion: row.owner_version,
    repairEventId: row.repair_event_id,
    firstRunId: row.first_run_id,
    lastRunId: row.last_run_id,
    seenCount: row.seen_count,
    firstSeenAt: row.first_seen_at,
    lastSeenAt: row.last_seen_at,
    decidedBy: row.decided_by,
    decidedReason: row.decided_reason,
  };
}
