import { RetryHeaders } from '@tributary/kafka';
import type { Logger } from '@tributary/kafka';
import type { Message } from 'kafkajs';
import { dlqMetrics } from '../metrics/dlq.metrics.js';
import { DEAD_LETTER_ID_HEADER, kafkaHeaders } from './dead-letter.js';
import type { DeadLettersRepository, ReplayItem } from './dead-letters.repository.js';
import type { TokenBucket } from './token-bucket.js';

export interface ReplaySink {
  sendMessages(items: readonly { topic: string; message: Message }[]): Promise<unknown>;
}

export interface ReplayDispatcherOptions {
  readonly repository: Pick<DeadLettersRepository, 'nextToReplay' | 'markReplayed' | 'abandonReplay'>;
  readonly sink: ReplaySink;
  /** Group → its first retry tier topic, read from the cluster. */
  readonly retryTiers: () => Promise<ReadonlyMap<string, string>>;
  readonly bucket: TokenBucket;
  readonly logger: Logger;
  /** Fallback poll when nobody calls `wake()`. Default 1 s. */
  readonly idleMs?: number;
  readonly batchSize?: number;
  readonly now?: () => number;
}

/** The record a replay sends: the dead letter's bytes and headers, due now, naming the row it came from. */
export function replayMessage(item: ReplayItem, now: number): Message {
  const headers = kafkaHeaders(item.headers);
  headers[RetryHeaders.backoffTimestamp] = Buffer.from(String(now));
  headers[DEAD_LETTER_ID_HEADER] = Buffer.from(item.id);
  return { key: item.key, value: item.value, headers };
}

/**
 * Sends rows accepted for replay into their group's first retry tier, oldest request first, never faster than
 * the token bucket allows (shared by every request of this process). A row is marked sent only after Kafka
 * acknowledged it (acks=all), so a crash in between sends it again: the consumer's inbox skips the effect of
 * the second copy (same ce_id), and the row is settled by whichever copy is processed first.
 */
export class ReplayDispatcher {
  private running: Promise<void> | undefined;
  private readonly abort = new AbortController();
  private wakeUp: (() => void) | undefined;

  constructor(private readonly options: ReplayDispatcherOptions) {}

  start(): void {
    this.running ??= this.loop();
  }

  /** A request accepted new rows: look now rather than at the next poll. */
  wake(): void {
    this.wakeUp?.();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.wake();
    await this.running;
  }

  private async loop(): Promise<void> {
    const { logger } = this.options;
    while (!this.abort.signal.aborted) {
      try {
        const sent = await this.dispatchOnce();
        if (sent === 0) await this.idle();
      } catch (error) {
        logger.error({ err: error }, 'replay dispatch failed; trying again');
        await this.idle();
      }
    }
  }

  private idle(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.options.idleMs ?? 1_000);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
      if (this.abort.signal.aborted) done();
    });
  }

  /** One round: up to a batch of rows, paced by the bucket. Resolves to how many rows it settled. */
  async dispatchOnce(): Promise<number> {
    const { repository, sink, bucket } = this.options;
    const items = await repository.nextToReplay(this.options.batchSize ?? 200);
    if (items.length === 0) return 0;
    const tiers = await this.options.retryTiers();
    const orphans = items.filter((item) => !tiers.has(item.consumerGroup));
    if (orphans.length > 0) {
      await repository.abandonReplay(
        orphans.map((item) => item.id),
        'replay abandoned: the consumer group has no retry tier topic',
      );
      for (const item of orphans)
        dlqMetrics.replays.inc({ consumer_group: item.consumerGroup, outcome: 'abandoned' });
    }
    const sendable = items.filter((item) => tiers.has(item.consumerGroup));
    let index = 0;
    while (index < sendable.length && !this.abort.signal.aborted) {
      const n = await bucket.take(sendable.length - index, this.abort.signal);
      if (n === 0) break;
      const chunk = sendable.slice(index, index + n);
      const now = (this.options.now ?? Date.now)();
      await sink.sendMessages(
        chunk.map((item) => ({ topic: tiers.get(item.consumerGroup)!, message: replayMessage(item, now) })),
      );
      await repository.markReplayed(chunk.map((item) => item.id));
      for (const item of chunk)
        dlqMetrics.replays.inc({ consumer_group: item.consumerGroup, outcome: 'sent' });
      index += n;
    }
    return orphans.length + index;
  }
}
