import type { DataSource, EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { DEAD_LETTER_TRANSITIONS, statusesAllowing } from './dead-letter.js';
import type { DeadLetterCapture, DeadLetterStatus, StoredHeader } from './dead-letter.js';
import type { DeadLetterFilter } from './dead-letters.requests.js';
import type { CountRow, DeadLetterDetail, DeadLetterSummary } from './dead-letters.routes.js';
import type { DecodedValue } from './value-decoder.js';

export type CaptureOutcome = 'created' | 'failed_again' | 'redelivered';
export type { DeadLetterDetail, DeadLetterSummary };

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

/** How a selection's replayable rows split by group and known target topic, for checking the targets. */
export interface ReplayTarget {
  readonly consumerGroup: string;
  readonly replayTopic: string | null;
  readonly count: number;
}

interface Row {
  id: string;
  consumer_group: string;
  original_topic: string;
  original_partition: number;
  original_offset: string;
  original_timestamp: Date | null;
  dlq_topic: string;
  dlq_partition: number;
  dlq_offset: string;
  event_id: string | null;
  event_type: string | null;
  error_code: string;
  error_class: string | null;
  error_message: string | null;
  error_stack: string | null;
  attempts: number;
  dead_lettered_count: number;
  first_failed_at: Date;
  last_failed_at: Date;
  raw_key: Buffer | null;
  raw_value: Buffer | null;
  headers: StoredHeader[];
  value_format: 'avro' | 'json' | 'none';
  schema_id: number | null;
  decoded_value: unknown;
  decode_error: string | null;
  status: DeadLetterStatus;
  status_reason: string | null;
  replay_count: number;
  replay_requested_at: Date | null;
  replay_requested_by: string | null;
  replayed_at: Date | null;
  replay_topic: string | null;
  replay_stalled_at: Date | null;
  replay_error_code: string | null;
  replay_error_message: string | null;
  replay_error_at: Date | null;
  resolved_at: Date | null;
  discarded_at: Date | null;
  discarded_by: string | null;
}

const SUMMARY_COLUMNS = `id, consumer_group, original_topic, original_partition, original_offset::text, event_id, event_type,
  error_code, error_class, error_message, attempts, dead_lettered_count, status, first_failed_at, last_failed_at, replay_count`;

/** SQL of a filter: `WHERE` clauses with numbered parameters starting after `offset`. */
export function filterSql(filter: DeadLetterFilter, offset = 0): { where: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    clauses.push(sql.replace('?', `$${offset + params.length}`));
  };
  if (filter.group !== undefined) add('consumer_group = ?', filter.group);
  // One connector app per provider, consuming as connector-<provider> (DESIGN §6, §8).
  if (filter.provider !== undefined) add('consumer_group = ?', `connector-${filter.provider}`);
  if (filter.topic !== undefined) add('original_topic = ?', filter.topic);
  if (filter.errorCode !== undefined) add('error_code = ?', filter.errorCode);
  if (filter.status !== undefined) add('status = ?', filter.status);
  if (filter.eventType !== undefined) add('event_type = ?', filter.eventType);
  if (filter.replayQueued !== undefined) add('replay_pending = ?::boolean', filter.replayQueued);
  if (filter.from !== undefined) add('last_failed_at >= ?::timestamptz', filter.from);
  if (filter.to !== undefined) add('last_failed_at < ?::timestamptz', filter.to);
  return { where: clauses.length === 0 ? 'TRUE' : clauses.join(' AND '), params };
}

/** All SQL of the dead_letters table. Unqualified names: the DataSource's search path is the app's schema. */
export class DeadLettersRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Stores one consumed DLQ record. A row is found by the dead-letter id a replay put on the record, else by
   * where the record first failed; a DLQ position already applied is a redelivery and changes nothing.
   */
  async capture(
    capture: DeadLetterCapture,
    decoded: DecodedValue,
  ): Promise<{ id: string; outcome: CaptureOutcome }> {
    return this.dataSource.transaction(async (manager) => {
      const position = `${capture.dlqTopic}:${capture.dlqPartition}:${capture.dlqOffset}`;
      let existing = await this.findForCapture(manager, capture);
      if (!existing) {
        const id = uuidv7();
        const inserted = (await manager.query(
          `INSERT INTO dead_letters (id, consumer_group, original_topic, original_partition, original_offset,
             original_timestamp, dlq_topic, dlq_partition, dlq_offset, dlq_positions, event_id, event_type,
             error_code, error_class, error_message, error_stack, attempts, first_failed_at, last_failed_at,
             raw_key, raw_value, headers, value_format, schema_id, decoded_value, decode_error, status, replay_topic)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, ARRAY[$10], $11, $12, $13, $14, $15, $16, $17, $18, $18,
             $19, $20, $21::jsonb, $22, $23, $24::jsonb, $25, 'pending', $26)
           ON CONFLICT ON CONSTRAINT dead_letters_origin DO NOTHING
           RETURNING id`,
          [
            id,
            capture.consumerGroup,
            capture.originalTopic,
            capture.originalPartition,
            capture.originalOffset,
            capture.originalTimestamp,
            capture.dlqTopic,
            capture.dlqPartition,
            capture.dlqOffset,
            position,
            capture.eventId,
            capture.eventType,
            capture.errorCode,
            capture.errorClass,
            capture.errorMessage,
            capture.errorStack,
            capture.attempts,
            capture.failedAt,
            capture.key,
            capture.value,
            JSON.stringify(capture.headers),
            decoded.kind,
            decoded.kind === 'avro' ? decoded.schemaId : null,
            decoded.kind === 'none' ? null : JSON.stringify(decoded.json),
            decoded.kind === 'none' ? decoded.reason : null,
            capture.replayTopic,
          ],
        )) as { id: string }[];
        if (inserted.length > 0) return { id, outcome: 'created' as const };
        // Lost a race with another capture of the same origin (it committed while this insert waited).
        existing = await this.findForCapture(manager, capture);
        if (!existing) throw new Error(`dead letter of ${position} conflicted but cannot be found`);
      }
      if (existing.dlq_positions.includes(position))
        return { id: existing.id, outcome: 'redelivered' as const };
      await manager.query(
        `UPDATE dead_letters SET
           dlq_topic = $2, dlq_partition = $3, dlq_offset = $4, dlq_positions = array_append(dlq_positions, $5),
           error_code = $6, error_class = $7, error_message = $8, error_stack = $9,
           attempts = GREATEST(attempts + 1, $10), dead_lettered_count = dead_lettered_count + 1,
           last_failed_at = GREATEST(last_failed_at, $11), headers = $12::jsonb,
           replay_topic = COALESCE($13, replay_topic),
           status = CASE WHEN status = ANY($14::text[]) THEN $15 ELSE status END,
           status_reason = CASE WHEN status = ANY($14::text[]) THEN 'failed again after replay' ELSE status_reason END,
           replay_stalled_at = NULL, replay_pending = false, replay_sending_since = NULL, updated_at = now()
         WHERE id = $1`,
        [
          existing.id,
          capture.dlqTopic,
          capture.dlqPartition,
          capture.dlqOffset,
          position,
          capture.errorCode,
          capture.errorClass,
          capture.errorMessage,
          capture.errorStack,
          capture.attempts,
          capture.failedAt,
          JSON.stringify(capture.headers),
          capture.replayTopic,
          statusesAllowing('failAgain'),
          DEAD_LETTER_TRANSITIONS.failAgain.to,
        ],
      );
      return { id: existing.id, outcome: 'failed_again' as const };
    });
  }

  private async findForCapture(
    manager: EntityManager,
    capture: DeadLetterCapture,
  ): Promise<{ id: string; dlq_positions: string[] } | undefined> {
    if (capture.deadLetterId !== null) {
      const [byId] = (await manager.query(
        `SELECT id, dlq_positions FROM dead_letters WHERE id = $1 AND consumer_group = $2 FOR UPDATE`,
        [capture.deadLetterId, capture.consumerGroup],
      )) as { id: string; dlq_positions: string[] }[];
      if (byId) return byId;
    }
    const [byOrigin] = (await manager.query(
      `SELECT id, dlq_positions FROM dead_letters
       WHERE consumer_group = $1 AND original_topic = $2 AND original_partition = $3 AND original_offset = $4
       FOR UPDATE`,
      [capture.consumerGroup, capture.originalTopic, capture.originalPartition, capture.originalOffset],
    )) as { id: string; dlq_positions: string[] }[];
    return byOrigin;
  }

  async list(
    filter: DeadLetterFilter,
    limit: number,
    before?: string,
  ): Promise<{ items: DeadLetterSummary[]; last?: string; more: boolean }> {
    const { where, params } = filterSql(filter);
    const cursorClause = before === undefined ? '' : ` AND id < $${params.length + 1}`;
    const rows = (await this.dataSource.query(
      `SELECT ${SUMMARY_COLUMNS} FROM dead_letters WHERE ${where}${cursorClause}
       ORDER BY id DESC LIMIT ${limit + 1}`,
      before === undefined ? params : [...params, before],
    )) as Row[];
    const page = rows.slice(0, limit);
    return {
      items: page.map(summary),
      ...(page.length > 0 ? { last: page[page.length - 1]!.id } : {}),
      more: rows.length > limit,
    };
  }

  async counts(filter: DeadLetterFilter): Promise<CountRow[]> {
    const { where, params } = filterSql(filter);
    const rows = (await this.dataSource.query(
      `SELECT error_code, status, consumer_group, count(*)::int AS n FROM dead_letters WHERE ${where}
       GROUP BY error_code, status, consumer_group ORDER BY n DESC, error_code, status, consumer_group`,
      params,
    )) as { error_code: string; status: DeadLetterStatus; consumer_group: string; n: number }[];
    return rows.map((r) => ({
      errorCode: r.error_code,
      status: r.status,
      consumerGroup: r.consumer_group,
      count: r.n,
    }));
  }

  async get(id: string, manager?: EntityManager): Promise<DeadLetterDetail | undefined> {
    const [row] = (await (manager ?? this.dataSource).query(
      `SELECT *, original_offset::text, dlq_offset::text FROM dead_letters WHERE id = $1`,
      [id],
    )) as Row[];
    return row ? detail(row) : undefined;
  }

  /** Ids a selection (explicit ids or a filter) covers, for the bulk size check. */
  async countSelected(manager: EntityManager, selection: Selection, statuses: readonly DeadLetterStatus[]) {
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
       FROM (SELECT consumer_group, replay_topic FROM dead_letters WHERE ${sql} AND NOT replay_pending FOR UPDATE) AS t
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
       WHERE ${sql} AND NOT replay_pending
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
         discarded_at = now(), discarded_by = $${n + 3}, updated_at = now()
       WHERE ${sql} AND NOT replay_pending RETURNING id, consumer_group`,
        [...params, DEAD_LETTER_TRANSITIONS.discard.to, reason, actor],
      ),
    ) as { id: string; consumer_group: string }[];
    return rows.map((r) => ({ id: r.id, consumerGroup: r.consumer_group }));
  }

  async statusesOf(
    manager: EntityManager,
    ids: readonly string[],
  ): Promise<Map<string, { status: DeadLetterStatus; replayQueued: boolean }>> {
    const rows = (await manager.query(
      `SELECT id, status, replay_pending FROM dead_letters WHERE id = ANY($1::uuid[])`,
      [ids],
    )) as { id: string; status: DeadLetterStatus; replay_pending: boolean }[];
    return new Map(rows.map((r) => [r.id, { status: r.status, replayQueued: r.replay_pending }]));
  }

  /** The oldest rows waiting to be sent, in request order. */
  async nextToReplay(limit: number): Promise<ReplayItem[]> {
    const rows = (await this.dataSource.query(
      `SELECT id, consumer_group, replay_topic, raw_key, raw_value, headers FROM dead_letters
       WHERE replay_pending ORDER BY replay_requested_at, id LIMIT $1`,
      [limit],
    )) as Pick<Row, 'id' | 'consumer_group' | 'replay_topic' | 'raw_key' | 'raw_value' | 'headers'>[];
    return rows.map((r) => ({
      id: r.id,
      consumerGroup: r.consumer_group,
      replayTopic: r.replay_topic,
      key: r.raw_key,
      value: r.raw_value,
      headers: r.headers,
    }));
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

  /** The consumer group processed the replayed record: only a row still waiting for that outcome changes. */
  async resolve(id: string, consumerGroup: string): Promise<boolean> {
    const rows = returnedRows(
      await this.dataSource.query(
        `UPDATE dead_letters SET status = $3, resolved_at = now(), status_reason = 'processed after replay',
         updated_at = now()
       WHERE id = $1 AND consumer_group = $2 AND status = ANY($4::text[]) RETURNING id`,
        [id, consumerGroup, DEAD_LETTER_TRANSITIONS.resolve.to, statusesAllowing('resolve')],
      ),
    ) as unknown[];
    return rows.length > 0;
  }

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

/**
 * TypeORM answers an UPDATE or DELETE with `[rows, rowCount]` instead of the rows: the RETURNING rows of
 * either shape.
 */
function returnedRows(result: unknown): unknown[] {
  if (
    Array.isArray(result) &&
    result.length === 2 &&
    Array.isArray(result[0]) &&
    typeof result[1] === 'number'
  ) {
    return result[0] as unknown[];
  }
  return result as unknown[];
}

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

function humanDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms % 1_000 === 0) return `${ms / 1_000} s`;
  return `${ms} ms`;
}

function iso(date: Date | null): string | null {
  return date === null ? null : date.toISOString();
}

function summary(row: Row): DeadLetterSummary {
  return {
    id: row.id,
    consumerGroup: row.consumer_group,
    originalTopic: row.original_topic,
    originalPartition: row.original_partition,
    originalOffset: row.original_offset,
    eventId: row.event_id,
    eventType: row.event_type,
    errorCode: row.error_code,
    errorClass: row.error_class,
    errorMessage: row.error_message,
    attempts: row.attempts,
    deadLetteredCount: row.dead_lettered_count,
    status: row.status,
    firstFailedAt: row.first_failed_at.toISOString(),
    lastFailedAt: row.last_failed_at.toISOString(),
    replayCount: row.replay_count,
  };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function textOf(bytes: Buffer): string | null {
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

function detail(row: Row): DeadLetterDetail {
  return {
    ...summary(row),
    originalTimestamp: iso(row.original_timestamp),
    dlq: { topic: row.dlq_topic, partition: row.dlq_partition, offset: row.dlq_offset },
    errorStack: row.error_stack,
    statusReason: row.status_reason,
    key: row.raw_key === null ? null : { base64: row.raw_key.toString('base64'), text: textOf(row.raw_key) },
    value:
      row.raw_value === null
        ? null
        : {
            base64: row.raw_value.toString('base64'),
            format: row.value_format,
            schemaId: row.schema_id,
            decoded: row.decoded_value,
            decodeError: row.decode_error,
          },
    headers: row.headers,
    replayRequestedAt: iso(row.replay_requested_at),
    replayRequestedBy: row.replay_requested_by,
    replayedAt: iso(row.replayed_at),
    replayTopic: row.replay_topic,
    replayStalledAt: iso(row.replay_stalled_at),
    replayError:
      row.replay_error_code === null
        ? null
        : {
            code: row.replay_error_code,
            message: row.replay_error_message ?? '',
            at: (row.replay_error_at ?? new Date(0)).toISOString(),
          },
    resolvedAt: iso(row.resolved_at),
    discardedAt: iso(row.discarded_at),
    discardedBy: row.discarded_by,
  };
}
