import { setTimeout as delay } from 'node:timers/promises';
import { DEAD_LETTER_DISCARDED_HEADER, RetryHeaders } from '@tributary/kafka';
import type { Logger } from '@tributary/kafka';
import type { TokenBucket } from '@tributary/service-kit';
import type { Message } from 'kafkajs';
import { ProblemCode } from '../http/problem.js';
import { dlqMetrics } from '../metrics/dlq.metrics.js';
import { DEAD_LETTER_ID_HEADER, kafkaHeaders } from './domain/dead-letter.js';
import type { ReplayItem, ReplayQueue } from './replay-queue.js';
import type { ReplayTopics } from './topic-directory.js';

export interface ReplaySink {
  sendMessages(items: readonly { topic: string; message: Message }[]): Promise<unknown>;
}

export interface ReplayDispatcherOptions {
  readonly queue: Pick<
    ReplayQueue,
    | 'nextToReplay'
    | 'markSending'
    | 'markReplayed'
    | 'failReplay'
    | 'inDoubt'
    | 'clearSending'
    | 'discardSignalsOwed'
    | 'markDiscardSignalled'
  >;
  readonly sink: ReplaySink;
  readonly topics: ReplayTopics;
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
 * The signal of a discarded dead letter, into the same tier a replay would go to: no value (nothing to
 * apply), the dead letter's headers (its origin names the key's head), due now.
 */
export function discardSignal(item: ReplayItem, now: number): Message {
  const headers = kafkaHeaders(item.headers);
  headers[RetryHeaders.backoffTimestamp] = Buffer.from(String(now));
  headers[DEAD_LETTER_ID_HEADER] = Buffer.from(item.id);
  headers[DEAD_LETTER_DISCARDED_HEADER] = Buffer.from('1');
  return { key: item.key, value: null, headers };
}

/**
 * Sends rows accepted for replay into the retry tier each row names, oldest request first, never faster than
 * the token bucket allows (shared by every request of this process). Each chunk is marked `sending` before
 * the send and `replayed` after Kafka acknowledged it (acks=all). After a crash, or a send that failed, the
 * rows still marked sending are looked up in their tier topic before anything else is sent: found ones are
 * settled, the others are sent again — so a replay neither repeats nor loses a record across a restart. (Were
 * the lookup itself to miss one, the consumer's inbox would still skip the second copy's effect: same ce_id.)
 * A row whose tier does not exist is not sent anywhere else: it goes back to pending with the error on it.
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
        const sent = (await this.dispatchOnce()) + (await this.signalDiscards());
        if (sent === 0) await this.idle();
      } catch (error) {
        logger.error({ err: error }, 'replay dispatch failed; trying again');
        // Part of a failed send may have landed: look before sending those rows again.
        recovered = false;
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
    const { queue, logger } = this.options;
    const rows = await queue.inDoubt();
    if (rows.length === 0) return;
    const targets = await this.targetsOf(rows);
    const existing = await this.options.topics.existingTopics();
    const byTopic = new Map<string, { ids: Set<string>; since: Date }>();
    for (const row of rows) {
      const topic = targets.get(row.id);
      // Gone with its topic or never sent: dispatchOnce fails it visibly either way.
      if (topic === undefined || !existing.has(topic)) continue;
      const entry = byTopic.get(topic) ?? { ids: new Set<string>(), since: row.since };
      entry.ids.add(row.id);
      if (row.since < entry.since) entry.since = row.since;
      byTopic.set(topic, entry);
    }
    for (const [topic, { ids, since }] of byTopic) {
      const sent = await this.options.findReplayed(topic, since, ids);
      if (sent.size > 0) await queue.markReplayed([...sent]);
      const unsent = [...ids].filter((id) => !sent.has(id));
      if (unsent.length > 0) await queue.clearSending(unsent);
      logger.warn(
        { topic, sent: sent.size, unsent: unsent.length },
        'settled replays in doubt after a restart',
      );
    }
  }

  /**
   * Each row's topic: the one stored on it, else (rows accepted before rows kept their target) its group's
   * first tier on the cluster.
   */
  private async targetsOf(
    rows: readonly { id: string; consumerGroup: string; replayTopic: string | null }[],
  ): Promise<Map<string, string | undefined>> {
    const firstTiers = rows.some((row) => row.replayTopic === null)
      ? await this.options.topics.firstRetryTiers()
      : new Map<string, string>();
    return new Map(rows.map((row) => [row.id, row.replayTopic ?? firstTiers.get(row.consumerGroup)]));
  }

  /** One round: up to a batch of rows, paced by the bucket. Resolves to how many rows it settled. */
  async dispatchOnce(): Promise<number> {
    const { queue, sink, bucket, logger } = this.options;
    const items = await queue.nextToReplay(this.options.batchSize ?? 200);
    if (items.length === 0) return 0;
    const targets = await this.targetsOf(items);
    const existing = await this.options.topics.existingTopics();
    const unsendable = new Map<string, ReplayItem[]>();
    for (const item of items) {
      const topic = targets.get(item.id);
      if (topic !== undefined && existing.has(topic)) continue;
      const key = topic ?? `(no retry tier of group ${item.consumerGroup})`;
      unsendable.set(key, [...(unsendable.get(key) ?? []), item]);
    }
    for (const [topic, rows] of unsendable) {
      const message = `replay not sent: its retry tier topic ${topic} does not exist, and a replay never goes to another tier; replay again once the group's consumer has recreated it`;
      await queue.failReplay(
        rows.map((item) => item.id),
        ProblemCode.replayTargetMissing,
        message,
      );
      for (const item of rows)
        dlqMetrics.replays.inc({ consumer_group: item.consumerGroup, outcome: 'abandoned' });
      logger.warn({ topic, deadLetters: rows.length }, message);
    }
    const failed = new Set([...unsendable.values()].flat().map((item) => item.id));
    const sendable = items.filter((item) => !failed.has(item.id));
    let index = 0;
    while (index < sendable.length && !this.abort.signal.aborted) {
      const n = await this.tokens(bucket, sendable.length - index);
      if (n === 0) break;
      const chunk = sendable.slice(index, index + n);
      await queue.markSending(chunk.map((item) => item.id));
      const now = (this.options.now ?? Date.now)();
      await sink.sendMessages(
        chunk.map((item) => ({ topic: targets.get(item.id)!, message: replayMessage(item, now) })),
      );
      await queue.markReplayed(chunk.map((item) => item.id));
      for (const item of chunk)
        dlqMetrics.replays.inc({ consumer_group: item.consumerGroup, outcome: 'sent' });
      index += n;
    }
    return failed.size + index;
  }

  /**
   * Tells each group about its discarded dead letters, so a key parked behind one (ordering by key, `block`)
   * moves on. A row whose tier is missing stays owed until the tier is back. Resolves to how many it sent.
   */
  async signalDiscards(): Promise<number> {
    const { queue, sink } = this.options;
    const items = await queue.discardSignalsOwed(this.options.batchSize ?? 200);
    if (items.length === 0) return 0;
    const targets = await this.targetsOf(items);
    const existing = await this.options.topics.existingTopics();
    const sendable = items.filter((item) => {
      const topic = targets.get(item.id);
      return topic !== undefined && existing.has(topic);
    });
    if (sendable.length === 0) return 0;
    const now = (this.options.now ?? Date.now)();
    await sink.sendMessages(
      sendable.map((item) => ({ topic: targets.get(item.id)!, message: discardSignal(item, now) })),
    );
    await queue.markDiscardSignalled(sendable.map((item) => item.id));
    return sendable.length;
  }

  /** Waits until the bucket holds a token, then takes what is there up to `max`; 0 once stopping. */
  private async tokens(bucket: TokenBucket, max: number): Promise<number> {
    for (;;) {
      if (this.abort.signal.aborted) return 0;
      const taken = bucket.takeUpTo(max);
      if (taken > 0) return taken;
      // Aborted by stop(): the loop above then returns 0.
      await delay(bucket.msUntil(1), undefined, { signal: this.abort.signal }).catch(() => undefined);
    }
  }
}
