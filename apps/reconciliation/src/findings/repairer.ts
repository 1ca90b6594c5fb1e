import { isReconciledEntity } from '@tributary/contracts';
import type { AuditLog, Outbox } from '@tributary/persistence';
import type { EntityManager } from 'typeorm';
import type { Finding } from './findings.repository.js';
import type { ProjectionRepository } from '../projections/projection.repository.js';
import { repairEvent } from '../runs/domain/repair.js';

export type RepairOutcome =
  | { readonly outcome: 'emitted'; readonly eventId: string; readonly eventType: string }
  | { readonly outcome: 'already'; readonly eventId: string }
  | { readonly outcome: 'not_repairable' };

/**
 * Emits the corrective event for a finding (for `stale_at_owner`, the write-back command), once: the
 * `repairs` row (unique per entity, id, owner version and event type) and the outbox row commit together,
 * so a run retried, a page answered twice or a person approving a finding the run already repaired never
 * emits a second event. The projection takes the owner's state in the same transaction, and the repair is
 * in the audit log.
 */
export class Repairer {
  constructor(
    private readonly outbox: Outbox,
    private readonly projections: ProjectionRepository,
    private readonly audit: AuditLog,
  ) {}

  async repair(
    manager: EntityManager,
    finding: Finding,
    context: { runId: string | null; actor: string; reason: string },
  ): Promise<RepairOutcome> {
    if (!isReconciledEntity(finding.entity) || !finding.ownerVersion) return { outcome: 'not_repairable' };
    const event = repairEvent({
      entity: finding.entity,
      entityId: finding.entityId,
      externalId: finding.externalId ?? '',
      ownerUpdatedAt: finding.ownerVersion.getTime(),
      owner: finding.owner ?? {},
      local: finding.local ?? {},
      runId: context.runId ?? finding.lastRunId,
      findingClass: finding.class,
      findingId: finding.id,
    });
    if (!event) return { outcome: 'not_repairable' };
    const inserted = (await manager.query(
      `INSERT INTO repairs (entity, entity_id, owner_version, event_id, event_type, finding_id, run_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING event_id`,
      [
        finding.entity,
        finding.entityId,
        finding.ownerVersion,
        event.id,
        event.type,
        finding.id,
        context.runId,
      ],
    )) as Array<{ event_id: string }>;
    if (inserted.length === 0) {
      const existing = (await manager.query(
        `SELECT event_id FROM repairs
         WHERE entity = $1 AND entity_id = $2 AND owner_version = $3 AND event_type = $4`,
        [finding.entity, finding.entityId, finding.ownerVersion, event.type],
      )) as Array<{ event_id: string }>;
      return { outcome: 'already', eventId: existing[0]!.event_id };
    }
    await this.outbox.publishEvent(manager, event);
    // A write-back changes the owner, not our copy: the connector's answer comes back as an event.
    if (finding.class !== 'stale_at_owner')
      await this.projections.setToOwner(manager, {
        entity: finding.entity,
        entityId: finding.entityId,
        fields: finding.owner ?? {},
        externalId: finding.externalId,
        deleted: finding.class === 'missing_at_owner',
        eventId: event.id,
        eventType: event.type,
      });
    await this.audit.record(
      {
        actor: context.actor,
        action: 'reconciliation.repair',
        reason: context.reason,
        target: `${finding.entity}:${finding.entityId}`,
        details: {
          findingId: finding.id,
          class: finding.class,
          eventId: event.id,
          eventType: event.type,
          runId: context.runId,
          diffs: finding.diffs.map((d) => d.field),
        },
      },
      manager,
    );
    return { outcome: 'emitted', eventId: event.id, eventType: event.type };
  }
}
