import { createHash } from 'node:crypto';
import { isReconciledEntity } from '@tributary/contracts';
import type { AnyEvent, EntityName, OwnerFields } from '@tributary/contracts';
import type { EntityManager } from 'typeorm';
import { ownedHash } from '../runs/domain/comparison.js';
import type { LocalCopy } from '../runs/domain/comparison.js';
import { applyChange, projectionChangeOf } from './domain/projection.js';
import type { ProjectionChange } from './domain/projection.js';

interface ProjectionRow {
  entity: string;
  entity_id: string;
  fields: Record<string, string | null>;
  fields_hash: string;
  rank: number;
  external_id: string | null;
  deleted: boolean;
  last_event_at: Date;
  agreed_hash: string | null;
}

export interface StoredProjection {
  readonly entity: string;
  readonly entityId: string;
  readonly fields: OwnerFields;
  readonly hash: string;
  readonly externalId: string | null;
  readonly deleted: boolean;
  readonly lastEventAt: Date;
  readonly agreedHash: string | null;
}

const columns =
  'entity, entity_id, fields, fields_hash, rank, external_id, deleted, last_event_at, agreed_hash';

export function hashOf(entity: EntityName, fields: OwnerFields): string {
  if (isReconciledEntity(entity)) return ownedHash(entity, fields);
  const sorted = Object.fromEntries(Object.entries(fields).sort(([a], [b]) => a.localeCompare(b)));
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex');
}

/** The `projections` table. Every write runs in the caller's transaction (the inbox's, or a run's). */
export class ProjectionRepository {
  /** Applies an event; returns the change when it moved the projection, undefined when it did not. */
  async apply(manager: EntityManager, event: AnyEvent): Promise<ProjectionChange | undefined> {
    const change = projectionChangeOf(event);
    if (!change) return undefined;
    const stored = await this.lock(manager, change.entity, change.entityId);
    const next = applyChange(stored && { fields: stored.fields, rank: stored.rank }, change);
    if (!next) return undefined;
    await this.write(manager, {
      entity: change.entity,
      entityId: change.entityId,
      fields: next.fields,
      rank: next.rank,
      externalId: change.externalId ?? stored?.external_id ?? null,
      deleted: change.deleted ?? false,
      eventId: event.id,
      eventType: event.type,
    });
    return change;
  }

  async find(
    manager: EntityManager,
    entity: string,
    entityId: string,
  ): Promise<StoredProjection | undefined> {
    const rows = (await manager.query(
      `SELECT ${columns} FROM projections WHERE entity = $1 AND entity_id = $2`,
      [entity, entityId],
    )) as ProjectionRow[];
    return rows[0] && toStored(rows[0]);
  }

  /**
   * The platform copies a page of owner records may name: by our id, and by the owner's (more than one
   * copy on one owner object is a duplicate link). One query.
   */
  async loadPage(
    manager: EntityManager,
    entity: string,
    ids: readonly string[],
    externalIds: readonly string[],
  ): Promise<{ byId: Map<string, StoredProjection>; byExternalId: Map<string, StoredProjection[]> }> {
    const rows = (await manager.query(
      `SELECT ${columns} FROM projections
       WHERE entity = $1 AND (entity_id = ANY($2::text[]) OR external_id = ANY($3::text[]))
       ORDER BY entity_id`,
      [entity, [...ids], [...externalIds]],
    )) as ProjectionRow[];
    const byId = new Map<string, StoredProjection>();
    const byExternalId = new Map<string, StoredProjection[]>();
    for (const stored of rows.map(toStored)) {
      byId.set(stored.entityId, stored);
      if (stored.externalId) {
        byExternalId.set(stored.externalId, [...(byExternalId.get(stored.externalId) ?? []), stored]);
      }
    }
    return { byId, byExternalId };
  }

  /** Both sides hold the same owned fields now: the baseline later disagreements are judged against. */
  async markAgreed(
    manager: EntityManager,
    entity: string,
    agreed: ReadonlyArray<{ entityId: string; hash: string }>,
  ): Promise<void> {
    if (agreed.length === 0) return;
    await manager.query(
      `UPDATE projections p SET agreed_hash = a.hash, agreed_at = now()
       FROM unnest($2::text[], $3::text[]) AS a(entity_id, hash)
       WHERE p.entity = $1 AND p.entity_id = a.entity_id AND p.agreed_hash IS DISTINCT FROM a.hash`,
      [entity, agreed.map((a) => a.entityId), agreed.map((a) => a.hash)],
    );
  }

  /**
   * The projection after a repair: the owner's fields, agreed, in the repair's transaction. The corrective
   * event comes back through the consumer later and changes nothing then; a second run in between already
   * finds both sides alike.
   */
  async setToOwner(
    manager: EntityManager,
    input: {
      entity: string;
      entityId: string;
      fields: OwnerFields;
      externalId: string | null;
      deleted: boolean;
      eventId: string;
      eventType: string;
    },
  ): Promise<void> {
    const stored = await this.lock(manager, input.entity, input.entityId);
    await this.write(manager, {
      ...input,
      fields: { ...stored?.fields, ...input.fields },
      rank: stored?.rank ?? 0,
      externalId: input.externalId ?? stored?.external_id ?? null,
      agreed: true,
    });
  }

  /** The records of an entity a complete walk did not see. */
  async notSeenIn(manager: EntityManager, entity: string, runId: string): Promise<StoredProjection[]> {
    const rows = (await manager.query(
      `SELECT ${columns} FROM projections p
       WHERE p.entity = $1 AND NOT p.deleted
         AND NOT EXISTS (SELECT 1 FROM run_seen s WHERE s.run_id = $2 AND s.entity_id = p.entity_id)`,
      [entity, runId],
    )) as ProjectionRow[];
    return rows.map(toStored);
  }

  private async lock(
    manager: EntityManager,
    entity: string,
    entityId: string,
  ): Promise<ProjectionRow | undefined> {
    const rows = (await manager.query(
      `SELECT ${columns} FROM projections WHERE entity = $1 AND entity_id = $2 FOR UPDATE`,
      [entity, entityId],
    )) as ProjectionRow[];
    return rows[0];
  }

  private async write(
    manager: EntityManager,
    row: {
      entity: string;
      entityId: string;
      fields: OwnerFields;
      rank: number;
      externalId: string | null;
      deleted: boolean;
      eventId: string;
      eventType: string;
      agreed?: boolean;
    },
  ): Promise<void> {
    const hash = hashOf(row.entity as EntityName, row.fields);
    await manager.query(
      `INSERT INTO projections (entity, entity_id, fields, fields_hash, rank, external_id, deleted,
                                last_event_id, last_event_type, last_event_at, agreed_hash, agreed_at)
       VALUES ($1, $2, $3::jsonb, $4, $5, $6, $7, $8, $9, now(), CASE WHEN $10 THEN $4 END, CASE WHEN $10 THEN now() END)
       ON CONFLICT (entity, entity_id) DO UPDATE SET
         fields = EXCLUDED.fields, fields_hash = EXCLUDED.fields_hash, rank = EXCLUDED.rank,
         external_id = EXCLUDED.external_id, deleted = EXCLUDED.deleted,
         last_event_id = EXCLUDED.last_event_id, last_event_type = EXCLUDED.last_event_type,
         last_event_at = now(),
         agreed_hash = CASE WHEN $10 THEN EXCLUDED.fields_hash ELSE projections.agreed_hash END,
         agreed_at = CASE WHEN $10 THEN now() ELSE projections.agreed_at END`,
      [
        row.entity,
        row.entityId,
        JSON.stringify(row.fields),
        hash,
        row.rank,
        row.externalId,
        row.deleted,
        row.eventId,
        row.eventType,
        row.agreed ?? false,
      ],
    );
  }
}

/** The projection as the comparison reads it. */
export function localCopyOf(stored: StoredProjection, writeInFlight: boolean): LocalCopy {
  return {
    entityId: stored.entityId,
    fields: stored.fields,
    agreedHash: stored.agreedHash,
    externalId: stored.externalId,
    lastEventAt: stored.lastEventAt.getTime(),
    deleted: stored.deleted,
    writeInFlight,
  };
}

function toStored(row: ProjectionRow): StoredProjection {
  return {
    entity: row.entity,
    entityId: row.entity_id,
    fields: row.fields,
    hash: row.fields_hash,
    externalId: row.external_id,
    deleted: row.deleted,
    lastEventAt: row.last_event_at,
    agreedHash: row.agreed_hash,
  };
}
