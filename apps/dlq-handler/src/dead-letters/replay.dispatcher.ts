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
  readonly repository: Pick<
    DeadLettersRepository,
    'nextToReplay' | 'markSending' | 'markReplayed' | 'abandonReplay' | 'inDoubt' | 'clearSending'
  >;
  readonly sink: ReplaySink;
  /** Group → its first retry tier topic, read from the cluster. */
  readonly retryTiers: () => Promise<ReadonlyMap<string, string>>;
  readonly bucket: TokenBucket;
  /** Dead-letter ids among `ids` already in `topic` since `since` (see replay-recovery.ts). */
  readonly findReplayed: (topic: string, since: Date, ids: ReadonlySet<string>) => Promise<Set<string>>;
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
 * the token bucket allows (shared by every request of this process). Each chunk is marked `sending` before
 * the send and `replayed` after Kafka acknowledged it (acks=all). After a crash, the rows still marked sending
 * are looked up in their tier topic before anything else is sent: found ones are settled, the others are
 * sent again — so a replay neither repeats nor loses a record across a restart. (Were the lookup itself to
 * miss one, the consumer's inbox would still skip the second copy's effect: same ce_id.)
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
    let recovered = false;
    while (!this.abort.signal.aborted) {
      try {
        if (!recovered) {
          await this.recoverInDoubt();
          recovered = true;
        }
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

  /** Settles the rows a previous process was sending when it stopped. */
  async recoverInDoubt(): Promise<void> {
    const { repository, logger } = this.options;
    const rows = await repository.inDoubt();
    if (rows.length === 0) return;
    const tiers = await this.options.retryTiers();
    const byTopic = new Map<string, { ids: Set<string>; since: Date }>();
    for (const row of rows) {
      const topic = tiers.get(row.consumerGroup);
      if (topic === undefined) continue; // dispatchOnce abandons it with a reason
      const entry = byTopic.get(topic) ?? { ids: new Set<string>(), since: row.since };
      entry.ids.add(row.id);
      if (row.since < entry.since) entry.since = row.since;
      byTopic.set(topic, entry);
    }
    for (const [topic, { ids, since }] of byTopic) {
      const sent = await this.options.findReplayed(topic, since, ids);
      if (sent.size > 0) await repository.markReplayed([...sent]);
      const unsent = [...ids].filter((id) => !sent.has(id));
      if (unsent.length > 0) await repository.clearSending(unsent);
      logger.warn(
        { topic, sent: sent.size, unsent: unsent.length },
        'settled replays in doubt after a restart',
      );
    }
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
      await repository.markSending(chunk.map((item) => item.id));
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
