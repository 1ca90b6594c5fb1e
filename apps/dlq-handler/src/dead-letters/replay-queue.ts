import type { DataSource } from 'typeorm';
import { returnedRows } from './dead-letters.sql.js';
import { DEAD_LETTER_TRANSITIONS, statusesAllowing } from './domain/dead-letter.js';
import type { StoredHeader } from './domain/dead-letter.js';

/** A row accepted for replay and not yet sent. */
export interface ReplayItem {
  readonly id: string;
  readonly consumerGroup: string;
  /** Null only for rows accepted before replays were given their topic. */
  readonly replayTopic: string | null;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: readonly StoredHeader[];
}

/**
 * Rows accepted for replay on their way out: which to send next, marked sending before the produce and
 * replayed after the ack (so a restart can tell what is in doubt), failed when their tier is gone, and
 * flagged stalled when a sent replay brings no outcome.
 */
export class ReplayQueue {
  constructor(private readonly dataSource: DataSource) {}

  /** The oldest rows waiting to be sent, in request order. */
  nextToReplay(limit: number): Promise<ReplayItem[]> {
    return this.items(`replay_pending ORDER BY replay_requested_at, id`, limit);
  }

  /** Just before a send: if the process dies now, these rows are in doubt (sent or not). */
  async markSending(ids: readonly string[]): Promise<void> {
    await this.dataSource.query(
      `UPDATE dead_letters SET replay_sending_since = now() WHERE id = ANY($1::uuid[]) AND replay_pending`,
      [ids],
    );
  }

  /** Rows a crashed process may have sent, with the group and topic they go to and since when. */
  async inDoubt(): Promise<{ id: string; consumerGroup: string; replayTopic: string | null; since: Date }[]> {
    const rows = (await this.dataSource.query(
      `SELECT id, consumer_group, replay_topic, replay_sending_since FROM dead_letters
       WHERE replay_pending AND replay_sending_since IS NOT NULL`,
    )) as { id: string; consumer_group: string; replay_topic: string | null; replay_sending_since: Date }[];
    return rows.map((r) => ({
      id: r.id,
      consumerGroup: r.consumer_group,
      replayTopic: r.replay_topic,
      since: r.replay_sending_since,
    }));
  }

  /** In-doubt rows found not sent: back in the queue as they were. */
  async clearSending(ids: readonly string[]): Promise<void> {
    await this.dataSource.query(
      `UPDATE dead_letters SET replay_sending_since = NULL WHERE id = ANY($1::uuid[]) AND replay_pending`,
      [ids],
    );
  }

  /**
   * Discarded rows whose group has not been told yet (a key parked behind them moves on when it is), oldest
   * discard first. Sent at least once: a signal sent twice releases nothing more.
   */
  discardSignalsOwed(limit: number): Promise<ReplayItem[]> {
    return this.items(`discard_signal_pending ORDER BY discarded_at, id`, limit);
  }

  /** Rows as a send needs them; `where` is this module's own SQL, never input. */
  private async items(where: string, limit: number): Promise<ReplayItem[]> {
    const rows = (await this.dataSource.query(
      `SELECT id, consumer_group, replay_topic, raw_key, raw_value, headers FROM dead_letters
       WHERE ${where} LIMIT $1`,
      [limit],
    )) as {
      id: string;
      consumer_group: string;
      replay_topic: string | null;
      raw_key: Buffer | null;
      raw_value: Buffer | null;
      headers: StoredHeader[];
    }[];
    return rows.map((r) => ({
      id: r.id,
      consumerGroup: r.consumer_group,
      replayTopic: r.replay_topic,
      key: r.raw_key,
      value: r.raw_value,
      headers: r.headers,
    }));
  }

  async markDiscardSignalled(ids: readonly string[]): Promise<void> {
    await this.dataSource.query(
      `UPDATE dead_letters SET discard_signal_pending = false WHERE id = ANY($1::uuid[])`,
      [ids],
    );
  }

  /** After Kafka acknowledged the replayed records. */
  async markReplayed(ids: readonly string[]): Promise<void> {
    await this.dataSource.query(
      `UPDATE dead_letters SET replay_pending = false, replay_sending_since = NULL, replayed_at = now(),
         replay_count = replay_count + 1, updated_at = now()
       WHERE id = ANY($1::uuid[]) AND replay_pending`,
      [ids],
    );
  }

  /**
   * A replay that cannot be sent (its tier topic does not exist): back to pending with the error on the row,
   * so the failure is visible and the row can be replayed again once the topic is back.
   */
  async failReplay(ids: readonly string[], code: string, message: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE dead_letters SET replay_pending = false, replay_sending_since = NULL, status = $2,
         status_reason = $4, replay_error_code = $3, replay_error_message = $4, replay_error_at = now(),
         updated_at = now()
       WHERE id = ANY($1::uuid[]) AND replay_pending AND status = ANY($5::text[])`,
      [ids, DEAD_LETTER_TRANSITIONS.replayFailed.to, code, message, statusesAllowing('replayFailed')],
    );
  }

  /**
   * Sent replays with no outcome (resolved, or dead-lettered again) `afterMs` after they were sent: flagged,
   * so a record lost on the way (a tier deleted under it, a consumer that never comes) does not wait unseen.
   * The database clock decides, so every replica flags the same rows once.
   */
  async flagStalledReplays(afterMs: number): Promise<{ id: string; consumerGroup: string }[]> {
    const rows = returnedRows(
      await this.dataSource.query(
        `UPDATE dead_letters SET status = $2, replay_stalled_at = now(), updated_at = now(),
           status_reason = 'no outcome within ' || $3 || ' of the replay: resolved nor dead-lettered again'
         WHERE status = ANY($4::text[]) AND NOT replay_pending AND replayed_at IS NOT NULL
           AND replayed_at < now() - make_interval(secs => $1::double precision / 1000)
         RETURNING id, consumer_group`,
        [afterMs, DEAD_LETTER_TRANSITIONS.stall.to, humanDuration(afterMs), statusesAllowing('stall')],
      ),
    ) as { id: string; consumer_group: string }[];
    return rows.map((r) => ({ id: r.id, consumerGroup: r.consumer_group }));
  }
}

function humanDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms % 1_000 === 0) return `${ms / 1_000} s`;
  return `${ms} ms`;
}
