import type { DataSource } from 'typeorm';
import type { DeadLetterStatus } from './domain/dead-letter.js';

/** What the dead-letter gauges show, read from the table (every replica reads the same). */
export class GaugeQueries {
  constructor(private readonly dataSource: DataSource) {}

  /** Gauges: rows by group, status and code, and the oldest pending failure per group. */
  async statistics(): Promise<{
    byStatus: { consumerGroup: string; status: DeadLetterStatus; errorCode: string; count: number }[];
    oldestPending: { consumerGroup: string; failedAt: Date }[];
  }> {
    const byStatus = (await this.dataSource.query(
      `SELECT consumer_group, status, error_code, count(*)::int AS n FROM dead_letters
       GROUP BY consumer_group, status, error_code`,
    )) as { consumer_group: string; status: DeadLetterStatus; error_code: string; n: number }[];
    const oldest = (await this.dataSource.query(
      `SELECT consumer_group, min(first_failed_at) AS at FROM dead_letters WHERE status = 'pending'
       GROUP BY consumer_group`,
    )) as { consumer_group: string; at: Date }[];
    return {
      byStatus: byStatus.map((r) => ({
        consumerGroup: r.consumer_group,
        status: r.status,
        errorCode: r.error_code,
        count: r.n,
      })),
      oldestPending: oldest.map((r) => ({ consumerGroup: r.consumer_group, failedAt: r.at })),
    };
  }
}
