import type { DataSource, EntityManager } from 'typeorm';
import { filterSql } from './dead-letters.sql.js';
import type { DeadLetterFilter } from './dead-letters.requests.js';
import type { CountRow, DeadLetterDetail, DeadLetterSummary } from './dead-letters.routes.js';
import type { DeadLetterStatus, StoredHeader } from './domain/dead-letter.js';

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
  scrubbed_at: Date | null;
  scrub_reason: string | null;
}

const SUMMARY_COLUMNS = `id, consumer_group, original_topic, original_partition, original_offset::text, event_id, event_type,
  error_code, error_class, error_message, attempts, dead_lettered_count, status, first_failed_at, last_failed_at, replay_count`;

/** What the API reads: pages of dead letters newest first (cursor: the last id), counts, one in full. */
export class DeadLetterReadModel {
  constructor(private readonly dataSource: DataSource) {}

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
    payloadScrubbed:
      row.scrubbed_at === null ? null : { at: row.scrubbed_at.toISOString(), reason: row.scrub_reason ?? '' },
  };
}
