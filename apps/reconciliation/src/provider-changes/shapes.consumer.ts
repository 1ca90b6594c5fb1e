import { Controller, Inject, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { EventOf } from '@tributary/contracts';
import { TributaryEventErrorFilter } from '@tributary/kafka/nest';
import { withInbox } from '@tributary/persistence';
import { observationOf } from '@tributary/provider-shapes';
import { DATA_SOURCE, SERVICE_CONFIG } from '@tributary/service-kit/nest';
import type { DataSource } from 'typeorm';
import type { ReconciliationConfig } from '../reconciliation.config.js';
import { applyObservation } from './domain/profile.js';
import { providerShapeMetrics as metrics } from './provider-changes.metrics.js';
import { ProviderChangesRepository } from './provider-changes.repository.js';

type ShapesObserved = EventOf<'integrations.provider.shapes_observed'>;

/**
 * Applies each window of provider shapes to its endpoint's profile (docs/architecture.md#provider-shapes):
 * the profile, the shapes and the changes found commit with the inbox row, so a redelivered window changes
 * nothing. Windows of one endpoint share a key, hence a partition and an order; the profile's row lock
 * covers the moment a rebalance hands the partition to another replica.
 */
@Controller()
@UseFilters(TributaryEventErrorFilter)
export class ShapesConsumer {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(SERVICE_CONFIG) private readonly config: ReconciliationConfig,
    private readonly changes: ProviderChangesRepository,
  ) {}

  @EventPattern('integrations.provider.shapes_observed')
  async onShapesObserved(@Payload() event: ShapesObserved): Promise<void> {
    const observation = observationOf(event.data);
    const result = await withInbox(this.dataSource, this.config.consumer.group, event.id, async (manager) => {
      const known = await this.changes.lockProfile(manager, observation);
      const { profile, changes } = applyObservation(known, observation, this.config.providerShapes);
      await this.changes.recordShapes(manager, observation);
      await this.changes.saveProfile(manager, observation, profile);
      return this.changes.recordChanges(manager, observation, changes);
    });
    if (result.outcome !== 'processed') return;
    const { provider, surface, endpoint, observer } = observation;
    const samples = observation.runs.reduce((sum, run) => sum + run.count, 0);
    metrics.samples.inc({ provider, surface, observer }, samples);
    for (const recorded of result.value)
      if (recorded.inserted) metrics.changes.inc({ provider, endpoint, kind: recorded.change.kind });
  }
}
