import type { Logger } from '@tributary/kafka';
import { exposeZeros, labelSets } from '@tributary/observability';
import { DEAD_LETTER_STATUSES } from '../dead-letters/domain/dead-letter.js';
import type { GaugeQueries } from '../dead-letters/gauge-queries.js';
import { REPLAY_OUTCOMES, dlqMetrics } from './dlq.metrics.js';

/** Refreshes the table-derived gauges every `intervalMs`; series of vanished label sets are dropped. */
export class DlqGauges {
  private timer: NodeJS.Timeout | undefined;
  private readonly countersZeroed = new Set<string>();

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
      const groups = [...new Set(byStatus.map((row) => row.consumerGroup))];
      // Every status of every group the table knows reads 0 rather than "No data"; before the first dead
      // letter, one zero per status without a group.
      const zeros = groups.length
        ? labelSets({ consumer_group: groups, status: DEAD_LETTER_STATUSES })
        : labelSets({ status: DEAD_LETTER_STATUSES });
      // Counters keep a series once it exists: only a group seen for the first time needs its zeros.
      const fresh = groups.filter((group) => !this.countersZeroed.has(group));
      exposeZeros(dlqMetrics.replays, labelSets({ consumer_group: fresh, outcome: REPLAY_OUTCOMES }));
      exposeZeros(dlqMetrics.discards, labelSets({ consumer_group: fresh }));
      for (const group of fresh) this.countersZeroed.add(group);
      dlqMetrics.messages.reset();
      exposeZeros(dlqMetrics.messages, zeros);
      for (const row of byStatus) {
        dlqMetrics.messages.set(
          { consumer_group: row.consumerGroup, status: row.status, code: row.errorCode },
          row.count,
        );
      }
      dlqMetrics.oldestPending.reset();
      // A group with nothing pending reads the time of this refresh: an age of 0, not a missing series.
      const now = Date.now() / 1000;
      for (const consumerGroup of groups)
        dlqMetrics.oldestPending.set({ consumer_group: consumerGroup }, now);
      for (const row of oldestPending) {
        dlqMetrics.oldestPending.set({ consumer_group: row.consumerGroup }, row.failedAt.getTime() / 1000);
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'DLQ gauges not refreshed');
    }
  }
}
