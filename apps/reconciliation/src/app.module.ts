import { Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import { ServiceModule } from '@tributary/service-kit/nest';
import { FindingsModule } from './findings/findings.module.js';
import { openApi } from './http/openapi.js';
import { reconciliationProblems } from './http/problems.js';
import { CreatePlatformOwned1765152000002 } from './projections/platform-owned.migration.js';
import { CreateProjections1765152000000 } from './projections/projections.migration.js';
import { PROJECTED_EVENT_TYPES } from './projections/projections.consumer.js';
import { ProjectionsModule } from './projections/projections.module.js';
import { CreateProviderChanges1797206400000 } from './provider-changes/provider-changes.migration.js';
import { ProviderChangesModule } from './provider-changes/provider-changes.module.js';
import { RECONCILIATION_SCOPES } from './reconciliation.config.js';
import type { ReconciliationConfig } from './reconciliation.config.js';
import { CreateRuns1765152000001 } from './runs/runs.migration.js';
import { RunsModule } from './runs/runs.module.js';

/**
 * The entity topics the projection reads, the topic the owners' pages come back on, and the providers'
 * shapes as connectors and ingestion see them.
 */
export const RECONCILIATION_TOPICS = [
  'commerce.order.v1',
  'payments.payment.v1',
  'crm.contact.v1',
  'logistics.shipment.v1',
  'reconciliation.read.v1',
  'integrations.provider.v1',
];

/**
 * Types on those topics that are not for this group: its own page requests and write-back commands, and
 * change notices.
 */
const IGNORED = [
  'reconciliation.read.requested',
  'crm.contact.write_back_requested',
  'crm.contact.changed',
  'payments.payment.refunded',
].filter((type) => !(PROJECTED_EVENT_TYPES as readonly string[]).includes(type));

@Module({})
export class AppModule {
  static forRoot(config: ReconciliationConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceModule.forRoot({
          config,
          migrations: [
            CreateProjections1765152000000,
            CreateRuns1765152000001,
            CreatePlatformOwned1765152000002,
            CreateProviderChanges1797206400000,
          ],
          problems: reconciliationProblems,
          openApi,
          apiKeys: { scopes: RECONCILIATION_SCOPES, ...config.apiKeys },
          consumer: { ...config.consumer, topics: RECONCILIATION_TOPICS, ignoredEventTypes: IGNORED },
        }),
        ProjectionsModule,
        FindingsModule,
        RunsModule,
        ProviderChangesModule,
      ],
    };
  }
}
