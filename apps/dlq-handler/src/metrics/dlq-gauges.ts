import type { Logger } from '@tributary/kafka';
import type { GaugeQueries } from '../dead-letters/gauge-queries.js';
import { dlqMetrics } from './dlq.metrics.js';

/** Refreshes the table-derived gauges every `intervalMs`; series of vanished label sets are dropped. */
export class DlqGauges {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly queries: Pick<GaugeQueries, 'statistics'>,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  start(): void {
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async refresh(): Promise<void> {
    try {
      const { byStatus, oldestPending } = await this.queries.statistics();
      dlqMetrics.messages.reset();
      for (const row of byStatus) {
        dlqMetrics.messages.set(
          { consumer_group: row.consumerGroup, status: row.status, code: row.errorCode },
          row.count,
        );
      }
      dlqMetrics.oldestPending.reset();
      for (const row of oldestPending) {
        dlqMetrics.oldestPending.set({ consumer_group: row.consumerGroup }, row.failedAt.getTime() / 1000);
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'DLQ gauges not refreshed');
    }
  }
}
