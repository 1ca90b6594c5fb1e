import { TributaryError } from '@tributary/contracts';
import type { DomainEvent } from '@tributary/contracts';
import type { EncodedRecord, EventEncoder } from '@tributary/kafka';
import type { DataSource, EntityManager } from 'typeorm';
import { schemaOf } from '../data-source.js';
import { invalid, PersistenceErrorCode, sqlStateOf, SqlState } from '../errors.js';
import { namesFor } from '../names.js';
import { toOutboxColumns } from './outbox-rows.js';

/**
 * The outbox insert as data-modifying CTEs of a caller's own statement: the state change and its records
 * in one statement are atomic without a transaction, so a hot write path pays one round trip instead of
 * BEGIN, inserts and COMMIT. Append `ctes` to the statement's WITH list, pass `params` from `firstParam`
 * on, and reference `evaluate` in the final query (a SELECT CTE nobody reads is never run, and the NOTIFY
 * lives in one).
 */
export interface OutboxStatement {
  readonly ctes: string;
  readonly params: unknown[];
  /** A boolean expression that runs the NOTIFY; always true. */
  readonly evaluate: string;
}

export interface OutboxStatementOptions {
  /** Number of the first placeholder (`$n`) the outbox may use. */
  readonly firstParam: number;
  /**
   * Writes a record only if the caller's statement produced its gate key: `relation.column` (e.g. the ids a
   * deduplicating `INSERT ... ON CONFLICT DO NOTHING RETURNING id` returned) must hold `keys[i]` for record i.
   */
  readonly gate?: { readonly relation: string; readonly column: string; readonly keys: readonly string[] };
}

export interface OutboxOptions {
  /** Needed by `publishEvent`: validates and encodes an event before it is written. */
  readonly encoder?: EventEncoder;
  /** NOTIFY the relay on commit (default true). Without it the relay finds rows at its polling interval. */
  readonly notify?: boolean;
}

/**
 * The write side of the outbox (docs/architecture.md#exactly-once): records are written in the caller's
 * transaction, together with the state change they announce, and reach Kafka through the relay once that
 * transaction commits.
 */
export class Outbox {
  readonly #encoder: EventEncoder | undefined;
  readonly #notify: boolean;

  constructor(options: OutboxOptions = {}) {
    this.#encoder = options.encoder;
    this.#notify = options.notify ?? true;
  }

  /** Adds encoded records, in order, to the outbox inside `manager`'s transaction. */
  async add(manager: EntityManager, records: EncodedRecord | readonly EncodedRecord[]): Promise<void> {
    const list: readonly EncodedRecord[] = isRecordList(records) ? records : [records];
    if (list.length === 0) return;
    // Outside a transaction the row would commit on its own, and a crash after it but before the state
    // change would announce something that never happened.
    if (!manager.queryRunner?.isTransactionActive) {
      throw invalid(
        PersistenceErrorCode.outboxRequiresTransaction,
        'Outbox.add needs the EntityManager of an open transaction (dataSource.transaction(manager => ...)).',
      );
    }
    const names = namesFor(schemaOf(manager.dataSource));
    const c = toOutboxColumns(list);
    // ORDER BY ordinality: ids (the publish order) follow the order of the given records.
    const insert = `
      INSERT INTO ${names.outboxTable} (topic, key, value, headers, event_id, aggregate_id)
      SELECT topic, key, value, headers, event_id, aggregate_id
      FROM unnest($1::text[], $2::text[], $3::bytea[], $4::jsonb[], $5::uuid[], $6::text[])
        WITH ORDINALITY AS r(topic, key, value, headers, event_id, aggregate_id, n)
      ORDER BY n`;
    const params: unknown[] = [c.topics, c.keys, c.values, c.headers, c.eventIds, c.aggregateIds];
    try {
      if (this.#notify) {
        // One statement: NOTIFY is queued in the transaction and delivered only if it commits. Postgres folds
        // identical notifications of one transaction into one.
        await manager.query(
          `WITH inserted AS (${insert} RETURNING 1)
           SELECT pg_notify($7, '') FROM (SELECT count(*) FROM inserted) AS done`,
          [...params, names.channel],
        );
      } else {
        await manager.query(insert, params);
      }
    } catch (error) {
      if (sqlStateOf(error) === SqlState.uniqueViolation) {
        throw new TributaryError(
          PersistenceErrorCode.outboxDuplicateEvent,
          'An outbox record with the same event id exists already: each event is written once.',
          { retriable: false, cause: error },
        );
      }
      throw error;
    }
  }

  /** See {@link OutboxStatement}: the records as CTEs of the caller's single statement. */
  statement(
    dataSource: DataSource,
    records: readonly EncodedRecord[],
    options: OutboxStatementOptions,
  ): OutboxStatement {
    const names = namesFor(schemaOf(dataSource));
    const c = toOutboxColumns(records);
    const gate = options.gate;
    if (gate && gate.keys.length !== records.length) {
      throw invalid(PersistenceErrorCode.outboxInvalidRecord, 'Outbox gate: one key per record.');
    }
    const n = (i: number) => `$${options.firstParam + i}`;
    const rows = `unnest(${n(0)}::text[], ${n(1)}::text[], ${n(2)}::bytea[], ${n(3)}::jsonb[], ${n(4)}::uuid[], ${n(5)}::text[], ${n(6)}::text[])
        WITH ORDINALITY AS r(topic, key, value, headers, event_id, aggregate_id, gate_key, n)`;
    const ctes = `outbox_rows AS (
      INSERT INTO ${names.outboxTable} (topic, key, value, headers, event_id, aggregate_id)
      SELECT r.topic, r.key, r.value, r.headers, r.event_id, r.aggregate_id FROM ${rows}
      ${gate ? `WHERE r.gate_key IN (SELECT ${gate.column}::text FROM ${gate.relation})` : ''}
      ORDER BY r.n
      RETURNING 1
    ), outbox_notify AS (
      SELECT ${this.#notify ? `pg_notify(${n(7)}, '')` : 'NULL'} AS sent FROM outbox_rows LIMIT 1
    )`;
    return {
      ctes,
      params: [
        c.topics,
        c.keys,
        c.values,
        c.headers,
        c.eventIds,
        c.aggregateIds,
        gate ? [...gate.keys] : records.map(() => null),
        ...(this.#notify ? [names.channel] : []),
      ],
      evaluate: '(SELECT count(*) FROM outbox_notify) >= 0',
    };
  }

  /**
   * Encodes the event (schema validation happens here, before commit) and adds it. Returns its record. An
   * event of a new major whose old major is in its deprecation window is also written translated to the old
   * topic (encoder's `encodeAll`): the rows follow each other in this transaction with one key, so the relay
   * publishes both or neither and each topic keeps the key's order.
   */
  async publishEvent(manager: EntityManager, event: DomainEvent): Promise<EncodedRecord> {
    if (!this.#encoder) {
      throw invalid(
        PersistenceErrorCode.outboxNoEncoder,
        'Outbox.publishEvent needs an EventEncoder in its options.',
      );
    }
    const records = this.#encoder.encodeAll
      ? await this.#encoder.encodeAll(event)
      : [await this.#encoder.encode(event)];
    await this.add(manager, records);
    return records[0]!;
  }
}

function isRecordList(
  records: EncodedRecord | readonly EncodedRecord[],
): records is readonly EncodedRecord[] {
  return Array.isArray(records);
}
