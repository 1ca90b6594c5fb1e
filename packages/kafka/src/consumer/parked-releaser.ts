import { metrics } from '@tributary/observability';
import { errorFields } from '../logger.js';
import type { Logger } from '../logger.js';
import type { HeadState, KeyParking, ParkedDrain, ParkedRecord } from './key-parking.js';

/** What running one parked record came to. */
export type ParkedOutcome =
  /** Handled, or forwarded so that it no longer waits: it leaves the park (heading its key when `head`). */
  | { readonly kind: 'settled'; readonly head?: HeadState }
  /** Not done (a failed forward, a rate limit, a shutdown): it stays first in line; try again in `ms`. */
  | { readonly kind: 'later'; readonly ms: number };

export interface ParkedReleaserOptions {
  readonly group: string;
  readonly parking: KeyParking;
  readonly run: (record: ParkedRecord) => Promise<ParkedOutcome>;
  /** Keys released at once by this process; records of one key always run one at a time. */
  readonly concurrency: number;
  /** How often keys left releasing (by a crash, or a `later`) are looked for. */
  readonly sweepMs: number;
  readonly logger: Logger;
}

/**
 * Runs the parked records of released keys, in order, one key per claim (docs/architecture.md#ordering-and-concurrency).
 * Any replica can release any key: the store's claim makes one process hold a key at a time, and a crash
 * gives it up, so the next sweep (here or in another replica) carries on from the first record not settled.
 */
export class ParkedReleaser {
  private readonly active = new Set<string>();
  private readonly running = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;
  private sweeping: Promise<void> | undefined;
  private sweepAgain = false;

  constructor(private readonly options: ParkedReleaserOptions) {}

  start(): void {
    this.timer = setInterval(() => this.kick(), this.options.sweepMs);
    this.timer.unref();
    this.kick();
  }

  /** A head was just released: look now rather than at the next sweep. */
  kick(): void {
    if (this.stopping) return;
    if (this.sweeping) {
      this.sweepAgain = true;
      return;
    }
    this.sweeping = this.sweep().finally(() => {
      this.sweeping = undefined;
      if (this.sweepAgain) {
        this.sweepAgain = false;
        this.kick();
      }
    });
  }

  /** No new key starts; the records running finish (the consumer's drain bounds how long). */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await this.sweeping;
    await Promise.all([...this.running]);
  }

  private async sweep(): Promise<void> {
    const { parking, group, concurrency, logger } = this.options;
    try {
      await this.report();
      const free = concurrency - this.active.size;
      if (free <= 0) return;
      const keys = await parking.releasing(group, free + this.active.size);
      for (const key of keys) {
        const id = key.toString('base64');
        if (this.stopping || this.active.size >= concurrency) break;
        if (this.active.has(id)) continue;
        const drain = await parking.claim(group, key);
        if (!drain) continue;
        this.active.add(id);
        const job = this.release(drain).finally(() => {
          this.active.delete(id);
          this.running.delete(job);
        });
        this.running.add(job);
      }
    } catch (error) {
      logger.warn({ groupId: group, ...errorFields(error) }, 'could not look for released keys');
    }
  }

  private async report(): Promise<void> {
    const { parking, group } = this.options;
    const stats = await parking.stats(group);
    const labels = { consumer_group: group };
    metrics.parkedKeys.set(labels, stats.keys);
    metrics.parkedRecords.set(labels, stats.records);
    const age = stats.oldestParkedAt ? (Date.now() - stats.oldestParkedAt.getTime()) / 1_000 : 0;
    metrics.oldestParkedAge.set(labels, Math.max(0, age));
  }

  private async release(drain: ParkedDrain): Promise<void> {
    const { group, logger } = this.options;
    let retryInMs: number | undefined;
    try {
      while (!this.stopping) {
        const record = await drain.next();
        if (!record) return;
        const outcome = await this.options.run(record);
        if (outcome.kind === 'later') {
          retryInMs = outcome.ms;
          return;
        }
        await drain.settle(record, outcome.head);
        if (outcome.head) return;
      }
    } catch (error) {
      retryInMs = 1_000;
      logger.warn({ groupId: group, ...errorFields(error) }, 'releasing a parked key failed; trying again');
    } finally {
      await drain.close().catch(() => {});
      // The key is still releasing: the next sweep takes it up; sooner when the wait is short.
      if (retryInMs !== undefined && !this.stopping) {
        setTimeout(() => this.kick(), Math.min(retryInMs, this.options.sweepMs)).unref();
      } else if (!this.stopping) this.kick();
    }
  }
}
