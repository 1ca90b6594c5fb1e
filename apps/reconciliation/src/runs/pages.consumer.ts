import { Controller, Inject, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { EventOf } from '@tributary/contracts';
import { TributaryEventErrorFilter } from '@tributary/kafka/nest';
import { withInbox } from '@tributary/persistence';
import { DATA_SOURCE, SERVICE_CONFIG } from '@tributary/service-kit/nest';
import type { DataSource } from 'typeorm';
import type { ReconciliationConfig } from '../reconciliation.config.js';
import { PageProcessor } from './page-processor.js';

/** Pages the owners' connectors read: each handled once, in the transaction that records it in the inbox. */
@Controller()
@UseFilters(TributaryEventErrorFilter)
export class PagesConsumer {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(SERVICE_CONFIG) private readonly config: ReconciliationConfig,
    private readonly pages: PageProcessor,
  ) {}

  @EventPattern('reconciliation.read.completed')
  async onPage(@Payload() page: EventOf<'reconciliation.read.completed'>): Promise<void> {
    await withInbox(this.dataSource, this.config.consumer.group, page.id, (manager) =>
      this.pages.process(manager, page),
    );
  }
}
