import { Controller, Inject, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { EventOf } from '@tributary/contracts';
import { TributaryEventErrorFilter } from '@tributary/kafka/nest';
import { withInbox } from '@tributary/persistence';
import type { DataSource } from 'typeorm';
import type { ExampleServiceConfig } from '../example-service.config.js';
import { DATA_SOURCE, SERVICE_CONFIG } from '@tributary/service-kit/nest';

/**
 * Applies each order event to the ledger exactly once (docs/architecture.md#inbox): the inbox row and the
 * ledger row share one transaction, so a redelivered event finds its inbox row and changes nothing.
 */
@Controller()
// Keeps each error's code and retriable flag for the consumer runner; Nest's default filter would erase them.
@UseFilters(TributaryEventErrorFilter)
export class OrderLedgerConsumer {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(SERVICE_CONFIG) private readonly config: ExampleServiceConfig,
  ) {}

  @EventPattern('commerce.order.placed')
  async onOrderPlaced(@Payload() event: EventOf<'commerce.order.placed'>): Promise<void> {
    await this.apply(event.id, event.data.orderId, event.type, event.data.totalAmountMinor);
  }

  @EventPattern('commerce.order.cancelled')
  async onOrderCancelled(@Payload() event: EventOf<'commerce.order.cancelled'>): Promise<void> {
    await this.apply(event.id, event.data.orderId, event.type, 0);
  }

  private async apply(eventId: string, orderId: string, type: string, amountMinor: number): Promise<void> {
    await withInbox(this.dataSource, this.config.consumer.group, eventId, (manager) =>
      manager.query(
        `INSERT INTO order_ledger (event_id, order_id, event_type, amount_minor) VALUES ($1, $2, $3, $4)`,
        [eventId, orderId, type, amountMinor],
      ),
    );
  }
}
