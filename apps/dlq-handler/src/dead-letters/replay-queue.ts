import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { returnedRows } from './dead-letters.sql.js';
import { DEAD_LETTER_TRANSITIONS, statusesAllowing } from './domain/dead-letter.js';
import type { StoredHeader } from './domain/dead-letter.js';

/** A claim's lease when none is configured (REPLAY_LEASE_MS): see the config for why 30 s. */
export const DEFAULT_REPLAY_LEASE_MS = 30_000;

// `now() + lease`, the lease in ms as $3 of every claiming statement: the database clock decides, as for stalls.
const LEASE = `make_interval(secs => $3::double precision / 1000)`;

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

/** Who claims rows here and for how long. */
export interface ReplayClaimOptions {
  /** This process: a random id, so that a restarted process never takes its predecessor's claims for its own. */
  readonly owner: string;
  /** How long a claim holds without renewal, by the database clock. */
  readonly leaseMs: number;
}

/** A claimed row in doubt: sent or not, its tier tells; `since` is when its send began. */
export interface InDoubtRow {
  readonly id: string;
  readonly consumerGroup: string;
  readonly replayTopic: string | null;
  readonly since: Date;
}

/**
 * Rows accepted for replay on their way out, safe with several replicas on one table: a replica claims the
 * rows it is about to send (`FOR UPDATE SKIP LOCKED`, so two replicas never claim the same row), with its
 * owner id and a lease, and that claim is the "sending" mark — a restart can tell what is in doubt. Every mark
 * after the send is fenced: it only touches rows this owner still holds, so a replica whose lease expired and
 * was taken over changes nothing (each mark resolves to how many of its rows were fenced off). Also failed
 * replays when their tier is gone, and stalled ones when a sent replay brings no outcome.
 */
export class ReplayQueue {
  readonly owner: string;
  readonly leaseMs: number;

  constructor(
    private readonly dataSource: DataSource,
    claims: ReplayClaimOptions = { owner: randomUUID(), leaseMs: DEFAULT_REPLAY_LEASE_MS },
  ) {
    this.owner = claims.owner;
    this.leaseMs = claims.leaseMs;
  }

  /**
   * Claims up to `limit` of the oldest unclaimed rows waiting to be sent, in request order, marking them
   * sending now. Another replica's claimed rows are skipped, never waited for.
   */
  claimNextToReplay(limit: number): Promise<ReplayItem[]> {
    return this.claim(
      `replay_pending AND claimed_by IS NULL ORDER BY replay_requested_at, id`,
      `replay_sending_since = now(),`,
      limit,
    );
  }

  /**
   * Claims rows in doubt: claimed by a process whose lease expired (it died, or lost its claims), or by this
   * one (a send of its own that failed). A live replica's rows are left alone.
   */
  async claimInDoubt(limit: number): Promise<InDoubtRow[]> {
    const rows = returnedRows(
      await this.dataSource.query(
        `UPDATE dead_letters SET claimed_by = $2, claim_expires_at = now() + ${LEASE}
         WHERE id IN (SELECT id FROM dead_letters
                      WHERE replay_pending AND claimed_by IS NOT NULL
                        AND (claim_expires_at < now() OR claimed_by = $2)
                      ORDER BY claim_expires_at, id LIMIT $1 FOR UPDATE SKIP LOCKED)
         RETURNING id, consumer_group, replay_topic, COALESCE(replay_sending_since, now()) AS since`,
        [limit, this.owner, this.leaseMs],
      ),
    ) as { id: string; consumer_group: string; replay_topic: string | null; since: Date }[];
    return rows.map((r) => ({
      id: r.id,
      consumerGroup: r.consumer_group,
      replayTopic: r.replay_topic,
      since: r.since,
    }));
  }

  /** Extends this owner's claims on `ids` by a lease; resolves to the ids it still holds. */
  async renewClaims(ids: readonly string[]): Promise<string[]> {
    const rows = returnedRows(
      await this.dataSource.query(
        `UPDATE dead_letters SET claim_expires_at = now() + ${LEASE}
         WHERE id = ANY($1::uuid[]) AND claimed_by = $2 RETURNING id`,
        [ids, this.owner, this.leaseMs],
      ),
    ) as { id: string }[];
    return rows.map((row) => row.id);
  }

  /** Claimed rows given back unsent (found not sent in doubt, or with nowhere to go yet): queued as they were. */
  clearSending(ids: readonly string[]): Promise<number> {
    return this.fenced(ids, `replay_sending_since = NULL`, `TRUE`);
  }

  /**
   * Claims up to `limit` discarded rows whose group has not been told yet (a key parked behind them moves on
   * when it is), oldest discard first: unclaimed, expired or already this owner's. Sent at least once: a
   * signal sent twice releases nothing more; the claim only keeps two replicas from sending each one.
   */
  claimDiscardSignals(limit: number): Promise<ReplayItem[]> {
    return this.claim(
      `discard_signal_pending AND (claimed_by IS NULL OR claimed_by = $2 OR claim_expires_at < now())
       ORDER BY discarded_at, id`,
      '',
      limit,
    );
  }

  /** `where` and `set` are this module's own SQL, never input. */
  private async claim(where: string, set: string, limit: number): Promise<ReplayItem[]> {
    const rows = returnedRows(
      await this.dataSource.query(
        `UPDATE dead_letters SET ${set} claimed_by = $2, claim_expires_at = now() + ${LEASE}
         WHERE id IN (SELECT id FROM dead_letters WHERE ${where} LIMIT $1 FOR UPDATE SKIP LOCKED)
         RETURNING id, consumer_group, replay_topic, raw_key, raw_value, headers, replay_requested_at, discarded_at`,
        [limit, this.owner, this.leaseMs],
      ),
    ) as {
      id: string;
      consumer_group: string;
      replay_topic: string | null;
      raw_key: Buffer | null;
      raw_value: Buffer | null;
      headers: StoredHeader[];
      replay_requested_at: Date | null;
      discarded_at: Date | null;
    }[];
    // RETURNING keeps no order: back to the queue's (request, or discard, time then id).
    const at = (r: (typeof rows)[number]) =>
      (r.replay_requested_at ?? r.discarded_at ?? new Date(0)).getTime();
    rows.sort((a, b) => at(a) - at(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return rows.map((r) => ({
      id: r.id,
      consumerGroup: r.consumer_group,
      replayTopic: r.replay_topic,
      key: r.raw_key,
      value: r.raw_value,
      headers: r.headers,
    }));
  }

  /** After Kafka acknowledged the signals. Resolves to how many rows were fenced off. */
  markDiscardSignalled(ids: readonly string[]): Promise<number> {
    return this.fenced(ids, `discard_signal_pending = false`, `TRUE`);
  }

  /** After Kafka acknowledged the replayed records. Resolves to how many rows were fenced off. */
  markReplayed(ids: readonly string[]): Promise<number> {
    return this.fenced(
      ids,
      `replay_pending = false, replay_sending_since = NULL, replayed_at = now(),
       replay_count = replay_count + 1, updated_at = now()`,
      `replay_pending`,
    );
  }

  /**
   * A replay that cannot be sent (its tier topic does not exist): back to pending with the error on the row,
   * so the failure is visible and the row can be replayed again once the topic is back. Resolves to how many
   * rows were fenced off.
   */
  failReplay(ids: readonly string[], code: string, message: string): Promise<number> {
    return this.fenced(
      ids,
      `replay_pending = false, replay_sending_since = NULL, status = $3, status_reason = $5,
       replay_error_code = $4, replay_error_message = $5, replay_error_at = now(), updated_at = now()`,
      `replay_pending AND status = ANY($6::text[])`,
      [DEAD_LETTER_TRANSITIONS.replayFailed.to, code, message, statusesAllowing('replayFailed')],
    );
  }

  /**
   * `set` on the rows of `ids` this owner still holds, releasing the claim; how many of `ids` it no longer
   * held. `set` and `where` are this module's own SQL, numbering extra parameters from $3.
   */
  private async fenced(
    ids: readonly string[],
    set: string,
    where: string,
    extra: readonly unknown[] = [],
  ): Promise<number> {
    if (ids.length === 0) return 0;
    const rows = returnedRows(
      await this.dataSource.query(
        `UPDATE dead_letters SET ${set}, claimed_by = NULL, claim_expires_at = NULL
         WHERE id = ANY($1::uuid[]) AND claimed_by = $2 AND ${where} RETURNING id`,
        [ids, this.owner, ...extra],
      ),
    );
    return ids.length - rows.length;
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
