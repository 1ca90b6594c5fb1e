import { Controller, Inject, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { isReconciledEntity } from '@tributary/contracts';
import type { AnyEvent } from '@tributary/contracts';
import { TributaryEventErrorFilter } from '@tributary/kafka/nest';
import { withInbox } from '@tributary/persistence';
import { DATA_SOURCE, SERVICE_CONFIG } from '@tributary/service-kit/nest';
import type { DataSource } from 'typeorm';
import { reconciliationMetrics as metrics } from '../metrics/reconciliation.metrics.js';
import type { ReconciliationConfig } from '../reconciliation.config.js';
import { RECONCILIATION_SOURCE } from '../runs/domain/repair.js';
import { PlatformOwnedRepository } from './platform-owned.repository.js';
import { ProjectionRepository } from './projection.repository.js';
import { platformStatementOf } from './domain/projection.js';

/** The entity events the projection reads: every type that states something an owner controls. */
export const PROJECTED_EVENT_TYPES = [
  'commerce.order.placed',
  'commerce.order.cancelled',
  'payments.payment.requested',
  'payments.payment.succeeded',
  'payments.payment.failed',
  'crm.contact.upserted',
  'crm.contact.archived',
  'logistics.shipment.requested',
  'logistics.shipment.created',
  'logistics.shipment.delivered',
] as const;

/**
 * Keeps the projection, and what the platform stated for the fields it writes onto owners: each entity
 * event applied once (inbox) in the transaction that records it. The time from the owner's change to this
 * moment is the apply lag, by path: the normal event path, or a repair reconciliation emitted.
 */
@Controller()
@UseFilters(TributaryEventErrorFilter)
export class ProjectionsConsumer {
  private readonly projections = new ProjectionRepository();
  private readonly platformOwned = new PlatformOwnedRepository();

  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(SERVICE_CONFIG) private readonly config: ReconciliationConfig,
  ) {}

  @EventPattern(PROJECTED_EVENT_TYPES as unknown as string[])
  async onEntityEvent(@Payload() event: AnyEvent): Promise<void> {
    const result = await withInbox(this.dataSource, this.config.consumer.group, event.id, async (manager) => {
      const statement = platformStatementOf(event);
      if (statement) await this.platformOwned.state(manager, statement, event.id);
      return this.projections.apply(manager, event);
    });
    const change = result.outcome === 'processed' ? result.value : undefined;
    if (change?.ownerChangedAt !== undefined && isReconciledEntity(change.entity)) {
      metrics.applyLag.observe(
        { entity: change.entity, path: event.source === RECONCILIATION_SOURCE ? 'repair' : 'event' },
        Math.max(0, (Date.now() - change.ownerChangedAt) / 1000),
      );
    }
  }
}
