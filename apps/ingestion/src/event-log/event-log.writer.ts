import { classifyError } from '@tributary/contracts';
import type { DomainEvent } from '@tributary/contracts';
import { CeHeaders, KafkaErrorCodes } from '@tributary/kafka';
import type { EncodedRecord, EventEncoder } from '@tributary/kafka';
import { withSpan } from '@tributary/observability';
import type { Outbox } from '@tributary/persistence';
import type { EntityManager } from 'typeorm';
import type { NewEntry } from './domain/event-log.js';
import type { EventLogRepository } from './event-log.repository.js';

/** An entry with its events already encoded: what goes into the log and the outbox together. */
export interface EncodedEntry extends NewEntry {
  readonly records: readonly EncodedRecord[];
}

/**
 * One event's records: its own first (the topic the event log names), then one per deprecated major it is
 * also published to during that major's window (docs/architecture.md#topics). Grouped, not flat, so callers
 * can match events to their own records by index.
 */
export type EventRecords = readonly [EncodedRecord, ...EncodedRecord[]];

export type EncodeResult =
  | { readonly ok: true; readonly events: readonly EventRecords[] }
  | { readonly ok: false; readonly code: string; readonly message: string };

/** Codes that mean "this event can never be encoded" (a mapping or client bug), not "try again later". */
const permanent: ReadonlySet<string> = new Set([
  KafkaErrorCodes.SCHEMA_VALIDATION_FAILED,
  KafkaErrorCodes.UNKNOWN_EVENT_TYPE,
]);

/**
 * Writes event log entries and their events' outbox records together (docs/architecture.md#outbox): the entry
 * is the state change, the records announce it, and they commit together or not at all.
 */
export class EventLogWriter {
  constructor(
    private readonly repository: EventLogRepository,
    private readonly encoder: EventEncoder,
    private readonly outbox: Outbox,
  ) {}

  /**
   * Validates and encodes events against their Avro schemas. A permanent failure is returned, so the caller
   * can record it; anything else (the registry unreachable) is thrown and fails the request, to be retried.
   */
  async encode(events: readonly DomainEvent[]): Promise<EncodeResult> {
    try {
      return { ok: true, events: await Promise.all(events.map((event) => this.recordsOf(event))) };
    } catch (error) {
      const { code } = classifyError(error);
      if (!permanent.has(code)) throw error;
      return { ok: false, code, message: (error as Error).message };
    }
  }

  private async recordsOf(event: DomainEvent): Promise<EventRecords> {
    if (!this.encoder.encodeAll) return [await this.encoder.encode(event)];
    // encodeAll starts with the event's own record (EventEncoder), so the tuple's first element is there.
    return (await this.encoder.encodeAll(event)) as unknown as EventRecords;
  }

  /**
   * Inserts the entries; only fresh ones (not deduplicated away) get their records into the outbox. One
   * statement, so it is atomic inside the caller's transaction or on its own.
   */
  async write(manager: EntityManager, entries: readonly EncodedEntry[]): Promise<Set<string>> {
    const records = entries.flatMap((entry) => entry.records.map((record) => ({ record, logId: entry.id })));
    // A group commit writes the entries of several requests: its span is the child of the request whose
    // write started it and links the spans that wrote the others' records (their traceparent headers).
    return withSpan(
      'event_log insert',
      {
        kind: 'client',
        attributes: {
          'db.system.name': 'postgresql',
          'db.operation.name': 'INSERT',
          'db.collection.name': 'event_log',
          'db.operation.batch.size': entries.length,
        },
        links: records.map((r) => r.record.headers[CeHeaders.traceparent]),
      },
      () =>
        this.repository.insert(
          manager,
          entries,
          records.length === 0
            ? undefined
            : (firstParam) =>
                this.outbox.statement(
                  manager.connection,
                  records.map((r) => r.record),
                  {
                    firstParam,
                    gate: { relation: 'inserted', column: 'id', keys: records.map((r) => r.logId) },
                  },
                ),
        ),
    );
  }
}
