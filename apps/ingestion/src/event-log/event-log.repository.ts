import { createHash } from 'node:crypto';
import { namesFor, schemaOf } from '@tributary/persistence';
import type { OutboxStatement } from '@tributary/persistence';
import type { DataSource, EntityManager } from 'typeorm';
import type { EntryFilter, EntryStatus, NewEntry } from './domain/event-log.js';
import type { EntryDetail, EntryEvent, EntrySummary } from './event-log.routes.js';

interface SummaryRow {
  id: string;
  source: EntrySummary['source'];
  provider: string;
  dedupe_key: string;
  event_type: string;
  status: EntryStatus;
  status_reason: string | null;
  occurred_at: Date | null;
  received_at: Date;
  replay_count: number;
  event_ids: string[] | null;
}

const summaryColumns = `l.id, l.source, l.provider, l.dedupe_key, l.event_type, l.status, l.status_reason,
  l.occurred_at, l.received_at, l.replay_count,
  (SELECT array_agg(e.event_id::text ORDER BY e.created_at, e.event_id) FROM event_log_events e WHERE e.log_id = l.id) AS event_ids`;

/** Entries as stored for replay: the payload, the request hash and the stored domain events. */
export interface StoredEntry extends EntrySummary {
  readonly payload: unknown;
  readonly requestHash: string | null;
  /**
   * The webhook's bytes as signed, when asked for, still kept (webhook_bodies) and still hashing to their
   * key; otherwise undefined.
   */
  readonly rawBody?: Buffer;
  readonly events: ReadonlyArray<{
    readonly eventId: string;
    readonly topic: string;
    readonly event: unknown;
  }>;
}

/**
 * The event log tables. Writes take the caller's EntityManager, so entries commit with their outbox rows.
 * Table names are unqualified: connections use the app's schema as search path (createDataSource).
 */
export class EventLogRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Inserts entries and their events in one statement. Entries whose (provider, dedupe_key) exists already
   * are skipped — and so are their events, which join on the inserted ids. Returns the ids inserted: the
   * fresh entries, whose events the caller then adds to the outbox in the same transaction.
   */
  /**
   * Inserts the entries that are new (deduplicated on provider and dedupe key) with their events, and, when
   * given, the outbox records of the new ones, all in one statement: atomic without a transaction, one
   * round trip. `outbox` receives the first free placeholder number and gates on the CTE `inserted(id)`.
   */
  async insert(
    manager: EntityManager,
    entries: readonly NewEntry[],
    outbox?: (firstParam: number) => OutboxStatement,
  ): Promise<Set<string>> {
    if (entries.length === 0) return new Set();
    const records = outbox?.(20);
    const events = entries.flatMap((entry) =>
      entry.events.map(({ event, topic }) => ({ logId: entry.id, event, topic })),
    );
    // A group commit may hold several entries of one delivery, and several deliveries: each body once.
    const hashes = entries.map((e) => (e.rawBody ? createHash('sha256').update(e.rawBody).digest() : null));
    const bodies = new Map<string, { sha256: Buffer; body: Buffer }>();
    entries.forEach((e, i) => {
      if (e.rawBody) bodies.set(hashes[i]!.toString('hex'), { sha256: hashes[i]!, body: e.rawBody });
    });
    const rows = (await manager.query(
      `WITH inserted AS (
         INSERT INTO event_log (id, source, provider, dedupe_key, event_type, status, status_reason, payload,
                                request_hash, occurred_at, body_sha256)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                              $8::jsonb[], $9::text[], $10::timestamptz[], $17::bytea[])
         ON CONFLICT (provider, dedupe_key) DO NOTHING
         RETURNING id, body_sha256
       ), bodies AS (
         -- Only bodies a new entry points to; a later delivery of the same bytes keeps the body longer.
         INSERT INTO webhook_bodies (sha256, body)
         SELECT b.sha256, b.body FROM unnest($18::bytea[], $19::bytea[]) AS b(sha256, body)
         WHERE b.sha256 IN (SELECT body_sha256 FROM inserted)
         ON CONFLICT (sha256) DO UPDATE SET received_at = now()
         RETURNING 1
       ), events AS (
         INSERT INTO event_log_events (event_id, log_id, event_type, topic, subject, event)
         SELECT e.event_id, e.log_id, e.event_type, e.topic, e.subject, e.event
         FROM unnest($11::uuid[], $12::uuid[], $13::text[], $14::text[], $15::text[], $16::jsonb[])
           AS e(event_id, log_id, event_type, topic, subject, event)
         JOIN inserted ON inserted.id = e.log_id
         RETURNING 1
       )${records ? `, ${records.ctes}` : ''}
       -- A data-modifying CTE runs to completion whether or not the outer query reads it.
       SELECT id::text AS id FROM inserted${records ? ` WHERE ${records.evaluate}` : ''}`,
      [
        entries.map((e) => e.id),
        entries.map((e) => e.source),
        entries.map((e) => e.provider),
        entries.map((e) => e.dedupeKey),
        entries.map((e) => e.eventType),
        entries.map((e) => e.status),
        entries.map((e) => e.statusReason ?? null),
        entries.map((e) => JSON.stringify(e.payload)),
        entries.map((e) => e.requestHash ?? null),
        entries.map((e) => e.occurredAt?.toISOString() ?? null),
        events.map((e) => e.event.id),
        events.map((e) => e.logId),
        events.map((e) => e.event.type),
        events.map((e) => e.topic),
        events.map((e) => e.event.subject),
        events.map((e) => JSON.stringify(e.event)),
        hashes,
        [...bodies.values()].map((b) => b.sha256),
        [...bodies.values()].map((b) => b.body),
        ...(records?.params ?? []),
      ],
    )) as Array<{ id: string }>;
    return new Set(rows.map((row) => row.id));
  }

  /** The stored entries for dedupe keys of a provider (what a duplicate delivery is answered with). */
  async findByDedupeKeys(
    provider: string,
    dedupeKeys: readonly string[],
    manager?: EntityManager,
  ): Promise<StoredEntry[]> {
    return this.stored(manager, `l.provider = $1 AND l.dedupe_key = ANY($2::text[])`, [provider, dedupeKeys]);
  }

  async list(filter: EntryFilter, limit: number, before?: string): Promise<EntrySummary[]> {
    const rows = (await this.dataSource.query(
      `SELECT ${summaryColumns} FROM event_log l
       WHERE ($1::text IS NULL OR l.provider = $1) AND ($2::text IS NULL OR l.event_type = $2)
         AND ($3::text IS NULL OR l.status = $3) AND ($4::timestamptz IS NULL OR l.received_at >= $4)
         AND ($5::timestamptz IS NULL OR l.received_at < $5) AND ($6::uuid IS NULL OR l.id < $6)
       ORDER BY l.id DESC LIMIT $7`,
      [
        filter.provider ?? null,
        filter.type ?? null,
        filter.status ?? null,
        filter.from?.toISOString() ?? null,
        filter.to?.toISOString() ?? null,
        before ?? null,
        limit,
      ],
    )) as SummaryRow[];
    return rows.map(toSummary);
  }

  async get(id: string): Promise<EntryDetail | undefined> {
    const { outboxTable } = namesFor(schemaOf(this.dataSource));
    const rows = (await this.dataSource.query(
      `SELECT ${summaryColumns}, l.payload, l.updated_at, b.sha256, b.body
       FROM event_log l LEFT JOIN webhook_bodies b ON b.sha256 = l.body_sha256 WHERE l.id = $1`,
      [id],
    )) as Array<
      SummaryRow & { payload: unknown; updated_at: Date; sha256: Buffer | null; body: Buffer | null }
    >;
    const row = rows[0];
    if (!row) return undefined;
    const events = (await this.dataSource.query(
      `SELECT e.event_id::text AS event_id, e.event_type, e.topic, e.subject,
              o.id IS NOT NULL AS in_outbox, o.published_at
       FROM event_log_events e
       LEFT JOIN LATERAL (SELECT id, published_at FROM ${outboxTable} o
                          WHERE o.event_id = e.event_id AND o.topic = e.topic) o ON true
       WHERE e.log_id = $1 ORDER BY e.created_at, e.event_id`,
      [id],
    )) as Array<{
      event_id: string;
      event_type: string;
      topic: string;
      subject: string;
      in_outbox: boolean;
      published_at: Date | null;
    }>;
    return {
      ...toSummary(row),
      payload: row.payload,
      rawBody: rawBodyOf(row),
      updatedAt: row.updated_at.toISOString(),
      events: events.map((e): EntryEvent => ({
        eventId: e.event_id,
        type: e.event_type,
        topic: e.topic,
        subject: e.subject,
        delivery: !e.in_outbox ? 'unknown' : e.published_at ? 'published' : 'pending',
        publishedAt: e.published_at?.toISOString() ?? null,
      })),
    };
  }

  /**
   * Entries to replay, locked (FOR UPDATE) so that two concurrent replays of one entry cannot both map it.
   * At most `limit` entries, oldest first.
   */
  async lockForReplay(
    manager: EntityManager,
    selection:
      { readonly id: string } | { readonly provider: string; readonly from: Date; readonly to: Date },
    limit: number,
  ): Promise<StoredEntry[]> {
    if ('id' in selection)
      return this.stored(manager, `l.id = $1`, [selection.id], 'FOR UPDATE OF l', 1, true);
    return this.stored(
      manager,
      `l.provider = $1 AND l.received_at >= $2 AND l.received_at < $3`,
      [selection.provider, selection.from.toISOString(), selection.to.toISOString()],
      'FOR UPDATE OF l',
      limit,
      true,
    );
  }

  /**
   * Webhook entries still waiting for a reference, received since `since`, locked; rows another instance
   * is already mapping are skipped rather than waited for.
   */
  async lockUnresolved(manager: EntityManager, since: Date, limit: number): Promise<StoredEntry[]> {
    return this.stored(
      manager,
      `l.status = 'unresolved' AND l.source = 'webhook' AND l.received_at >= $1`,
      [since.toISOString()],
      'FOR UPDATE OF l SKIP LOCKED',
      limit,
      true,
    );
  }

  async countInRange(provider: string, from: Date, to: Date): Promise<number> {
    const rows = (await this.dataSource.query(
      `SELECT count(*)::int AS n FROM event_log WHERE provider = $1 AND received_at >= $2 AND received_at < $3`,
      [provider, from.toISOString(), to.toISOString()],
    )) as Array<{ n: number }>;
    return rows[0]?.n ?? 0;
  }

  /** Records a replay, and the new status and events when it mapped an entry that had produced nothing. */
  async markReplayed(
    manager: EntityManager,
    id: string,
    remapped?: { status: EntryStatus; reason?: string; events: NewEntry['events'] },
  ): Promise<void> {
    if (remapped) {
      await manager.query(
        `UPDATE event_log SET status = $2, status_reason = $3, updated_at = now(), replay_count = replay_count + 1
         WHERE id = $1`,
        [id, remapped.status, remapped.reason ?? null],
      );
      if (remapped.events.length > 0) {
        await manager.query(
          `INSERT INTO event_log_events (event_id, log_id, event_type, topic, subject, event)
           SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::jsonb[])`,
          [
            remapped.events.map((e) => e.event.id),
            remapped.events.map(() => id),
            remapped.events.map((e) => e.event.type),
            remapped.events.map((e) => e.topic),
            remapped.events.map((e) => e.event.subject),
            remapped.events.map((e) => JSON.stringify(e.event)),
          ],
        );
      }
      return;
    }
    await manager.query(
      `UPDATE event_log SET updated_at = now(), replay_count = replay_count + 1 WHERE id = $1`,
      [id],
    );
  }

  /** Deletes entries older than the retention, in batches that never hold locks for long. */
  async deleteOlderThan(retentionSeconds: number, batchSize = 5000): Promise<number> {
    let total = 0;
    for (;;) {
      // Counted in a CTE: TypeORM answers a bare DELETE with [rows, count], not rows.
      const rows = (await this.dataSource.query(
        `WITH bodies AS (
           DELETE FROM webhook_bodies WHERE sha256 IN (
             SELECT sha256 FROM webhook_bodies WHERE received_at < now() - make_interval(secs => $1) LIMIT $2)
         ), deleted AS (
           DELETE FROM event_log WHERE id IN (
             SELECT id FROM event_log WHERE received_at < now() - make_interval(secs => $1) LIMIT $2)
           RETURNING 1)
         SELECT count(*)::int AS n FROM deleted`,
        [retentionSeconds, batchSize],
      )) as Array<{ n: number }>;
      const deleted = rows[0]?.n ?? 0;
      total += deleted;
      if (deleted < batchSize) return total;
    }
  }

  private async stored(
    manager: EntityManager | undefined,
    where: string,
    params: unknown[],
    lock = '',
    limit = 10_000,
    withBodies = false,
  ): Promise<StoredEntry[]> {
    const db = manager ?? this.dataSource;
    // A replay re-maps from the signed bytes, so a configured source forwards them, not re-serialized jsonb.
    const rows = (await db.query(
      `SELECT ${summaryColumns}, l.payload, l.request_hash
              ${withBodies ? ', b.sha256, b.body' : ''}
       FROM event_log l
       ${withBodies ? 'LEFT JOIN webhook_bodies b ON b.sha256 = l.body_sha256' : ''}
       WHERE ${where} ORDER BY l.id LIMIT ${Number(limit)} ${lock}`,
      params,
    )) as Array<
      SummaryRow & {
        payload: unknown;
        request_hash: string | null;
        sha256?: Buffer | null;
        body?: Buffer | null;
      }
    >;
    if (rows.length === 0) return [];
    const events = (await db.query(
      `SELECT event_id::text AS event_id, log_id::text AS log_id, topic, event FROM event_log_events
       WHERE log_id = ANY($1::uuid[]) ORDER BY created_at, event_id`,
      [rows.map((row) => row.id)],
    )) as Array<{ event_id: string; log_id: string; topic: string; event: unknown }>;
    return rows.map((row) => ({
      ...toSummary(row),
      payload: row.payload,
      requestHash: row.request_hash,
      ...(row.body && row.sha256 && sha256Of(row.body).equals(row.sha256) ? { rawBody: row.body } : {}),
      events: events
        .filter((e) => e.log_id === row.id)
        .map((e) => ({ eventId: e.event_id, topic: e.topic, event: e.event })),
    }));
  }
}

/**
 * The stored bytes, checked against their key on the way out: a body that no longer hashes to it is
 * reported as not intact rather than shown as what the provider signed.
 */
function rawBodyOf(row: { sha256: Buffer | null; body: Buffer | null }): EntryDetail['rawBody'] {
  if (!row.sha256 || !row.body) return null;
  const sha256 = row.sha256.toString('hex');
  return {
    sha256,
    base64: row.body.toString('base64'),
    intact: createHash('sha256').update(row.body).digest('hex') === sha256,
  };
}

function sha256Of(body: Buffer): Buffer {
  return createHash('sha256').update(body).digest();
}

function toSummary(row: SummaryRow): EntrySummary {
  return {
    id: row.id,
    source: row.source,
    provider: row.provider,
    dedupeKey: row.dedupe_key,
    eventType: row.event_type,
    status: row.status,
    statusReason: row.status_reason,
    occurredAt: row.occurred_at?.toISOString() ?? null,
    receivedAt: row.received_at.toISOString(),
    replayCount: row.replay_count,
    eventIds: row.event_ids ?? [],
  };
}
