import { setTimeout as delay } from 'node:timers/promises';
import { DEAD_LETTER_DISCARDED_HEADER, RetryHeaders } from '@tributary/kafka';
import type { Logger } from '@tributary/kafka';
import type { TokenBucket } from '@tributary/service-kit';
import type { Message } from 'kafkajs';
import { ProblemCode } from '../http/problem.js';
import { dlqMetrics } from '../metrics/dlq.metrics.js';
import { DEAD_LETTER_ID_HEADER, kafkaHeaders } from './domain/dead-letter.js';
import { inDoubtByTopic, inDoubtCheckMs, leaseRenewalMs } from './replay-lease.js';
import type { ReplayItem, ReplayQueue } from './replay-queue.js';
import type { ReplayTopics } from './topic-directory.js';

export interface ReplaySink {
  sendMessages(items: readonly { topic: string; message: Message }[]): Promise<unknown>;
}

export interface ReplayDispatcherOptions {
  readonly queue: Pick<
    ReplayQueue,
    | 'owner'
    | 'leaseMs'
    | 'claimNextToReplay'
    | 'claimInDoubt'
    | 'renewClaims'
    | 'markReplayed'
    | 'failReplay'
    | 'clearSending'
    | 'claimDiscardSignals'
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
 * the token bucket allows (one bucket per process). Safe with several replicas on one table: each round claims
 * only the rows the bucket lets leave now (the claim, with this process's owner id and a lease, is the
 * `sending` mark), renews the claim while the send runs, and marks them `replayed` after Kafka acknowledged
 * them (acks=all) — a mark that only lands while this process still holds the claim. Rows whose claim expired
 * (their holder died) or that a failed send of this process left claimed are in doubt: claimed again here,
 * looked up in their tier topic, found ones settled, the others sent again — so neither a restart nor a second
 * replica repeats or loses a replay, and no replica touches the rows another live one is sending. (Were the
 * look-up to miss one, or a replica frozen for a whole lease to send late, the consumer's inbox would still
 * skip the second copy's effect: same ce_id.) A row whose tier does not exist is not sent anywhere else: it
 * goes back to pending with the error on it.
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
    const { logger, queue } = this.options;
    // In doubt at start (a predecessor that died), then every half lease (another replica that died).
    let lookForDoubtAt = 0;
    while (!this.abort.signal.aborted) {
      try {
        if (Date.now() >= lookForDoubtAt) {
          await this.recoverInDoubt();
          lookForDoubtAt = Date.now() + inDoubtCheckMs(queue.leaseMs);
        }
        const sent = (await this.dispatchOnce()) + (await this.signalDiscards());
        if (sent === 0) await this.idle();
      } catch (error) {
        logger.error({ err: error }, 'replay dispatch failed; trying again');
        // Part of a failed send may have landed: its rows are still claimed by this process, and looked up
        // before they are sent again.
        lookForDoubtAt = 0;
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

  /**
   * Settles rows in doubt: those of a process that stopped renewing its claims (it died), and those a failed
   * send of this one left claimed. Resolves to how many it settled.
   */
  async recoverInDoubt(): Promise<number> {
    const { queue, logger } = this.options;
    let settled = 0;
    for (;;) {
      const rows = await queue.claimInDoubt(this.options.batchSize ?? 200);
      if (rows.length === 0) return settled;
      const held = new Set(rows.map((row) => row.id));
      const settle = (ids: Iterable<string>) => {
        for (const id of ids) held.delete(id);
      };
      await this.holding(held, async () => {
        const targets = await this.targetsOf(rows);
        const existing = await this.options.topics.existingTopics();
        const { byTopic, nowhere } = inDoubtByTopic(rows, targets, existing);
        // Gone with its topic (nothing to read) or never given one: dispatchOnce fails it visibly.
        this.fenced('given back', await queue.clearSending(nowhere));
        settle(nowhere);
        for (const [topic, { ids, since }] of byTopic) {
          const sent = await this.options.findReplayed(topic, since, ids);
          const unsent = [...ids].filter((id) => !sent.has(id));
          this.fenced('replayed', await queue.markReplayed([...sent]));
          this.fenced('given back', await queue.clearSending(unsent));
          settle(ids);
          logger.warn(
            { topic, sent: sent.size, unsent: unsent.length },
            'settled replays in doubt (their sender stopped before marking them)',
          );
        }
      });
      settled += rows.length;
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

  /**
   * One round: up to a batch of rows, paced by the bucket. Rows are claimed only as the bucket lets them leave,
   * so a claim is held for one send, not for a whole paced batch. Resolves to how many rows it settled.
   */
  async dispatchOnce(): Promise<number> {
    const { queue, bucket } = this.options;
    const batchSize = this.options.batchSize ?? 200;
    let settled = 0;
    while (settled < batchSize && (await this.tokenThere(bucket))) {
      const items = await queue.claimNextToReplay(Math.min(batchSize - settled, Math.floor(bucket.tokens)));
      if (items.length === 0) break;
      const { sendable, targets } = await this.failUnsendable(items);
      // Only this loop takes from the bucket, and tokens only grew since they were counted: all are there.
      bucket.takeUpTo(sendable.length);
      await this.send(sendable, targets);
      settled += items.length;
    }
    return settled;
  }

  /** Fails the claimed rows whose tier is missing; the others, with their topics. */
  private async failUnsendable(
    items: readonly ReplayItem[],
  ): Promise<{ sendable: ReplayItem[]; targets: Map<string, string | undefined> }> {
    const { queue, logger } = this.options;
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
      this.fenced(
        'failed',
        await queue.failReplay(
          rows.map((item) => item.id),
          ProblemCode.replayTargetMissing,
          message,
        ),
      );
      for (const item of rows)
        dlqMetrics.replays.inc({ consumer_group: item.consumerGroup, outcome: 'abandoned' });
      logger.warn({ topic, deadLetters: rows.length }, message);
    }
    const failed = new Set([...unsendable.values()].flat().map((item) => item.id));
    return { sendable: items.filter((item) => !failed.has(item.id)), targets };
  }

  /** Sends claimed rows, holding their claims meanwhile, and marks them replayed. */
  private async send(
    chunk: readonly ReplayItem[],
    targets: ReadonlyMap<string, string | undefined>,
  ): Promise<void> {
    const { queue, sink } = this.options;
    const mine = await this.stillHeld(chunk);
    if (mine.length === 0) return;
    const ids = mine.map((item) => item.id);
    const now = (this.options.now ?? Date.now)();
    await this.holding(new Set(ids), () =>
      sink.sendMessages(
        mine.map((item) => ({ topic: targets.get(item.id)!, message: replayMessage(item, now) })),
      ),
    );
    const fenced = await queue.markReplayed(ids);
    this.fenced('replayed', fenced);
    // A fenced row's send still happened: counted here, and settled by the replica that took it over.
    for (const item of mine) dlqMetrics.replays.inc({ consumer_group: item.consumerGroup, outcome: 'sent' });
  }

  /**
   * The rows of `items` this process still holds, their leases renewed, just before they are sent: the steps
   * between the claim and the send (topic look-ups against a slow cluster) may outlast a lease, and a row
   * another replica took over meanwhile is its to send.
   */
  private async stillHeld(items: readonly ReplayItem[]): Promise<ReplayItem[]> {
    if (items.length === 0) return [];
    const held = new Set(await this.options.queue.renewClaims(items.map((item) => item.id)));
    const mine = items.filter((item) => held.has(item.id));
    this.fenced('sent', items.length - mine.length);
    return mine;
  }

  /**
   * Tells each group about its discarded dead letters, so a key parked behind one (ordering by key, `block`)
   * moves on. A row whose tier is missing stays owed until the tier is back. Resolves to how many it sent.
   */
  async signalDiscards(): Promise<number> {
    const { queue, sink } = this.options;
    const items = await queue.claimDiscardSignals(this.options.batchSize ?? 200);
    if (items.length === 0) return 0;
    const targets = await this.targetsOf(items);
    const existing = await this.options.topics.existingTopics();
    const sendable = items.filter((item) => {
      const topic = targets.get(item.id);
      return topic !== undefined && existing.has(topic);
    });
    const sendableIds = new Set(sendable.map((item) => item.id));
    // Owed until the tier is back; unclaimed meanwhile, so any replica sends it then.
    this.fenced(
      'given back',
      await queue.clearSending(items.filter((item) => !sendableIds.has(item.id)).map((item) => item.id)),
    );
    const mine = await this.stillHeld(sendable);
    if (mine.length === 0) return 0;
    const mineIds = new Set(mine.map((item) => item.id));
    const now = (this.options.now ?? Date.now)();
    await this.holding(mineIds, () =>
      sink.sendMessages(
        mine.map((item) => ({ topic: targets.get(item.id)!, message: discardSignal(item, now) })),
      ),
    );
    this.fenced('signalled', await queue.markDiscardSignalled([...mineIds]));
    return mine.length;
  }

  /**
   * Runs `work` while renewing this process's claims on `ids` (those still there: `work` removes the rows it
   * settles) every third of the lease (replay-lease.ts): a slow send or look-up keeps its rows. A renewal that
   * finds rows gone is logged; the marks after `work` are fenced anyway.
   */
  private async holding<T>(ids: ReadonlySet<string>, work: () => Promise<T>): Promise<T> {
    const { queue, logger } = this.options;
    let renewing: Promise<void> = Promise.resolve();
    const timer = setInterval(() => {
      renewing = renewing
        .then(async () => {
          const wanted = [...ids];
          if (wanted.length === 0) return;
          const held = (await queue.renewClaims(wanted)).length;
          if (held < wanted.length)
            logger.warn(
              { owner: queue.owner, lost: wanted.length - held },
              'replay claims lost during a send: another replica took them over after the lease expired',
            );
        })
        .catch((error: unknown) => logger.warn({ err: error }, 'replay claims not renewed'));
    }, leaseRenewalMs(queue.leaseMs));
    try {
      return await work();
    } finally {
      clearInterval(timer);
      await renewing;
    }
  }

  /** Counts and logs marks refused because this process no longer held the rows. */
  private fenced(mark: 'sent' | 'replayed' | 'failed' | 'given back' | 'signalled', count: number): void {
    if (count === 0) return;
    dlqMetrics.fencedMarks.inc(count);
    this.options.logger.warn(
      { owner: this.options.queue.owner, mark, rows: count },
      'replay marks fenced off: this replica no longer held the rows (its lease expired and another replica took them)',
    );
  }

  /** Waits until the bucket holds a token, without taking it; false once stopping. */
  private async tokenThere(bucket: TokenBucket): Promise<boolean> {
    for (;;) {
      if (this.abort.signal.aborted) return false;
      const waitMs = bucket.msUntil(1);
      if (waitMs === 0) return true;
      // Aborted by stop(): the loop above then returns false.
      await delay(waitMs, undefined, { signal: this.abort.signal }).catch(() => undefined);
    }
  }
}
