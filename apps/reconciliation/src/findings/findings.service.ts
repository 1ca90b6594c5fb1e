import { ProblemError } from '@tributary/service-kit';
import type { AuditLog } from '@tributary/persistence';
import type { DataSource } from 'typeorm';
import type { Repairer } from './repairer.js';
import { reconciliationMetrics as metrics } from '../metrics/reconciliation.metrics.js';
import { approvable, dismissable } from './domain/finding.js';
import type { Finding, FindingsRepository } from './findings.repository.js';

/** A person's decisions about findings: approve (repair with the owner's value) or dismiss; both audited. */
export class FindingsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly findings: FindingsRepository,
    private readonly repairer: Repairer,
    private readonly audit: AuditLog,
  ) {}

  async approve(id: string, actor: string, reason: string): Promise<Finding> {
    return this.dataSource.transaction(async (manager) => {
      const finding = await this.#get(manager, id);
      if (!approvable(finding.decision, finding.status)) {
        throw new ProblemError(
          'RECONCILIATION_FINDING_STATE_CONFLICT',
          `A ${finding.status} finding decided ${finding.decision} cannot be approved.`,
        );
      }
      const result = await this.repairer.repair(manager, finding, { runId: null, actor, reason });
      if (result.outcome === 'not_repairable') {
        throw new ProblemError(
          'RECONCILIATION_FINDING_NOT_REPAIRABLE',
          finding.class === 'stale_at_owner'
            ? `No command writes this ${finding.entity}'s ${finding.diffs.map((d) => d.field).join(', ')} back to its owner: correct it there, then dismiss this finding.`
            : `No event can state the owner's value of this ${finding.entity}.`,
        );
      }
      if (result.outcome === 'emitted') metrics.repairs.inc({ entity: finding.entity, outcome: 'emitted' });
      return this.findings.decide(manager, id, {
        decision: 'approved',
        status: 'resolved',
        repairEventId: result.eventId,
        by: actor,
        reason,
      });
    });
  }

  async dismiss(id: string, actor: string, reason: string): Promise<Finding> {
    return this.dataSource.transaction(async (manager) => {
      const finding = await this.#get(manager, id);
      if (!dismissable(finding.status)) {
        throw new ProblemError(
          'RECONCILIATION_FINDING_STATE_CONFLICT',
          `A ${finding.status} finding cannot be dismissed.`,
        );
      }
      await this.audit.record(
        {
          actor,
          action: 'reconciliation.dismiss',
          reason,
          target: `${finding.entity}:${finding.entityId}`,
          details: { findingId: id, class: finding.class },
        },
        manager,
      );
      return this.findings.decide(manager, id, {
        decision: 'dismissed',
        status: 'dismissed',
        by: actor,
        reason,
      });
    });
  }

  async #get(manager: Parameters<FindingsRepository['get']>[0], id: string): Promise<Finding> {
    const finding = await this.findings.get(manager, id, true);
    if (!finding) throw new ProblemError('RECONCILIATION_FINDING_NOT_FOUND', 'No finding has this id.');
    return finding;
  }
}
