import type { Logger } from '@tributary/kafka';
import { dlqMetrics } from '../metrics/dlq.metrics.js';
import type { ReplayQueue } from './replay-queue.js';

/** How often to look for stalled replays: a tenth of the bound, between 200 ms and 30 s. */
export function stallCheckIntervalMs(stallAfterMs: number): number {
  return Math.min(30_000, Math.max(200, Math.round(stallAfterMs / 10)));
}

/**
 * Flags sent replays that brought no outcome within `stallAfterMs` (status `replay_stalled`), counts them in
 * `tributary_dlq_replays_total{outcome="stalled"}` and logs them per group. Without it a replay lost on the way
 * (its tier deleted with the record in it, a consumer that never runs) would stay `replaying` for ever.
 */
export class ReplayStallMonitor {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly queue: Pick<ReplayQueue, 'flagStalledReplays'>,
    private readonly stallAfterMs: number,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.running ??= this.sweep().finally(() => (this.running = undefined));
    }, stallCheckIntervalMs(this.stallAfterMs));
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Resolves to how many rows it flagged; never throws (the next tick tries again). */
  async sweep(): Promise<number> {
    try {
      const flagged = await this.queue.flagStalledReplays(this.stallAfterMs);
      const byGroup = new Map<string, string[]>();
      for (const { id, consumerGroup } of flagged) {
        byGroup.set(consumerGroup, [...(byGroup.get(consumerGroup) ?? []), id]);
        dlqMetrics.replays.inc({ consumer_group: consumerGroup, outcome: 'stalled' });
      }
      for (const [consumerGroup, ids] of byGroup) {
        this.logger.warn(
          {
            consumerGroup,
            count: ids.length,
            deadLetterIds: ids.slice(0, 20),
            stallAfterMs: this.stallAfterMs,
          },
          'replayed dead letters brought no outcome in time: flagged replay_stalled',
        );
      }
      return flagged.length;
    } catch (error) {
      this.logger.warn({ err: error }, 'stalled replays not checked');
      return 0;
    }
  }
}
