import type { EntityManager } from 'typeorm';
import { filterSql, returnedRows } from './dead-letters.sql.js';
import type { DeadLetterFilter } from './dead-letters.requests.js';
import { DEAD_LETTER_TRANSITIONS, statusesAllowing } from './domain/dead-letter.js';
import type { DeadLetterStatus } from './domain/dead-letter.js';

/** The dead letters an operator's replay or discard is about: explicit ids, or every one a filter matches. */
export type Selection = { readonly ids: readonly string[] } | { readonly filter: DeadLetterFilter };

function selectionSql(
  selection: Selection,
  statuses: readonly DeadLetterStatus[],
): { sql: string; params: unknown[] } {
  if ('ids' in selection) {
    return { sql: `id = ANY($1::uuid[]) AND status = ANY($2::text[])`, params: [selection.ids, statuses] };
  }
  const { where, params } = filterSql(selection.filter, 1);
  return { sql: `status = ANY($1::text[]) AND ${where}`, params: [statuses, ...params] };
}

/** How a selection's replayable rows split by group and known target topic, for checking the targets. */
export interface ReplayTarget {
  readonly consumerGroup: string;
  readonly replayTopic: string | null;
  readonly count: number;
}

/**
 * What an operator's replay and discard change, inside the caller's transaction (the audit entry commits
 * with them). Which statuses may take which action comes from the domain's transitions.
 */
export class OperatorCommands {
  /** Ids a selection (explicit ids or a filter) covers, for the bulk size check. */
  async countSelected(
    manager: EntityManager,
    selection: Selection,
    statuses: readonly DeadLetterStatus[],
  ): Promise<number> {
    const { sql, params } = selectionSql(selection, statuses);
    const [row] = (await manager.query(
      `SELECT count(*)::int AS n FROM dead_letters WHERE ${sql}`,
      params,
    )) as {
      n: number;
    }[];
    return row!.n;
  }

  /**
   * Where the selection's replayable rows would go: their stored target, or null where none is known yet
   * (rows from a DLQ record without `tributary-replay-topic`). Locks those rows until the transaction ends,
   * so the targets checked are the ones marked.
   */
  async replayTargets(manager: EntityManager, selection: Selection): Promise<ReplayTarget[]> {
    const { sql, params } = selectionSql(selection, statusesAllowing('replay'));
    const rows = (await manager.query(
      `SELECT consumer_group, replay_topic, count(*)::int AS n
       FROM (SELECT consumer_group, replay_topic FROM dead_letters
               WHERE ${sql} AND NOT replay_pending AND scrubbed_at IS NULL FOR UPDATE) AS t
       GROUP BY consumer_group, replay_topic`,
      params,
    )) as { consumer_group: string; replay_topic: string | null; n: number }[];
    return rows.map((r) => ({ consumerGroup: r.consumer_group, replayTopic: r.replay_topic, count: r.n }));
  }

  /**
   * Marks the selected rows for replay (pending ones, and replays whose outcome never came); returns their ids
   * and groups. A row without a target takes its group's from `fallbackTopics` and keeps it: what is sent
   * later, or again after a restart, goes exactly there.
   */
  async markForReplay(
    manager: EntityManager,
    selection: Selection,
    actor: string,
    reason: string,
    fallbackTopics: ReadonlyMap<string, string> = new Map(),
  ): Promise<{ id: string; consumerGroup: string; replayTopic: string }[]> {
    const { sql, params } = selectionSql(selection, statusesAllowing('replay'));
    const n = params.length;
    const rows = returnedRows(
      await manager.query(
        `UPDATE dead_letters SET status = $${n + 1}, status_reason = $${n + 2},
         replay_pending = true, replay_requested_at = now(), replay_requested_by = $${n + 3},
         replay_topic = COALESCE(replay_topic, $${n + 4}::jsonb ->> consumer_group),
         replay_stalled_at = NULL, replay_error_code = NULL, replay_error_message = NULL, replay_error_at = NULL,
         updated_at = now()
       WHERE ${sql} AND NOT replay_pending AND scrubbed_at IS NULL
       RETURNING id, consumer_group, replay_topic`,
        [
          ...params,
          DEAD_LETTER_TRANSITIONS.replay.to,
          reason,
          actor,
          JSON.stringify(Object.fromEntries(fallbackTopics)),
        ],
      ),
    ) as { id: string; consumer_group: string; replay_topic: string }[];
    return rows.map((r) => ({ id: r.id, consumerGroup: r.consumer_group, replayTopic: r.replay_topic }));
  }

  async discard(
    manager: EntityManager,
    selection: Selection,
    actor: string,
    reason: string,
  ): Promise<{ id: string; consumerGroup: string }[]> {
    const { sql, params } = selectionSql(selection, statusesAllowing('discard'));
    const n = params.length;
    const rows = returnedRows(
      await manager.query(
        `UPDATE dead_letters SET status = $${n + 1}, status_reason = $${n + 2},
         discarded_at = now(), discarded_by = $${n + 3}, updated_at = now(), discard_signal_pending = true
       WHERE ${sql} AND NOT replay_pending RETURNING id, consumer_group`,
        [...params, DEAD_LETTER_TRANSITIONS.discard.to, reason, actor],
      ),
    ) as { id: string; consumer_group: string }[];
    return rows.map((r) => ({ id: r.id, consumerGroup: r.consumer_group }));
  }

  async statusesOf(
    manager: EntityManager,
    ids: readonly string[],
  ): Promise<Map<string, { status: DeadLetterStatus; replayQueued: boolean; scrubReason: string | null }>> {
    const rows = (await manager.query(
      `SELECT id, status, replay_pending, scrub_reason FROM dead_letters WHERE id = ANY($1::uuid[])`,
      [ids],
    )) as { id: string; status: DeadLetterStatus; replay_pending: boolean; scrub_reason: string | null }[];
    return new Map(
      rows.map((r) => [
        r.id,
        { status: r.status, replayQueued: r.replay_pending, scrubReason: r.scrub_reason },
      ]),
    );
  }
}
