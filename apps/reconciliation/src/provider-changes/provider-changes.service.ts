import type { AuditLog } from '@tributary/persistence';
import { ProblemError } from '@tributary/service-kit';
import type { DataSource } from 'typeorm';
import type { ProviderChange, ProviderChangesRepository } from './provider-changes.repository.js';

/** An operator's acknowledgement of a provider change: recorded on the change and in the audit log, at once. */
export class ProviderChangesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly changes: ProviderChangesRepository,
    private readonly audit: AuditLog,
  ) {}

  async acknowledge(id: string, actor: string, reason: string): Promise<ProviderChange> {
    return this.dataSource.transaction(async (manager) => {
      const change = await this.changes.get(manager, id, true);
      if (!change) throw notFound();
      if (change.acknowledgedAt) {
        throw new ProblemError(
          'RECONCILIATION_PROVIDER_CHANGE_ACKNOWLEDGED',
          `Acknowledged by ${change.acknowledgedBy} at ${change.acknowledgedAt}.`,
        );
      }
      await this.audit.record(
        {
          actor,
          action: 'provider_change.acknowledge',
          reason,
          target: `${change.provider}/${change.surface}/${change.endpoint}`,
          details: {
            changeId: id,
            kind: change.kind,
            severity: change.severity,
            status: change.status,
            path: change.path,
            value: change.value,
          },
        },
        manager,
      );
      await this.changes.acknowledge(manager, id, actor, reason);
      return (await this.changes.get(manager, id))!;
    });
  }
}

export const notFound = () =>
  new ProblemError('RECONCILIATION_PROVIDER_CHANGE_NOT_FOUND', 'No provider change has this id.');
