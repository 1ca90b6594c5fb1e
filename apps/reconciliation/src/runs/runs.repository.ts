import { TributaryError } from '@tributary/contracts';
import type { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { RunMode, RunStatus, RunTrigger } from './domain/run.js';

export const RunErrorCode = {
  alreadyRunning: 'RECONCILIATION_RUN_ALREADY_RUNNING',
} as const;

interface RunRow {
  id: string;
  entity: string;
  provider: string;
  trigger: RunTrigger;
  mode: RunMode;
  dry_run: boolean;
  window_from: Date | null;
  window_to: Date | null;
  ids: string[];
  status: RunStatus;
  requested_by: string;
  page_no: number;
  cursor: string | null;
  page_attempts: number;
  page_throttles: number;
  next_request_at: Date | null;
  requested_at: Date | null;
  pages: number;
  compared: number;
  mismatches: number;
  deferred: number;
  unverifiable: number;
  repairs_emitted: number;
  repairs_dry_run: number;
  repairs_suppressed: number;
  error: string | null;
  started_at: Date;
  finished_at: Date | null;
}

export interface Run {
  readonly id: string;
  readonly entity: string;
  readonly provider: string;
  readonly trigger: RunTrigger;
  readonly mode: RunMode;
  readonly dryRun: boolean;
  readonly windowFrom: Date | null;
  readonly windowTo: Date | null;
  readonly ids: readonly string[];
  readonly status: RunStatus;
  readonly requestedBy: string;
  readonly pageNo: number;
  readonly cursor: string | null;
  readonly pageAttempts: number;
  /** Times in a row the current page was refused for the provider's rate limit (never a failure). */
  readonly pageThrottles: number;
  readonly nextRequestAt: Date | null;
  readonly pages: number;
  readonly compared: number;
  readonly mismatches: number;
  readonly deferred: number;
  readonly unverifiable: number;
  readonly repairsEmitted: number;
  readonly repairsDryRun: number;
  readonly repairsSuppressed: number;
  readonly error: string | null;
  readonly startedAt: Date;
  readonly finishedAt: Date | null;
}

export interface RunCounters {
  readonly compared?: number;
  readonly mismatches?: number;
  readonly deferred?: number;
  readonly unverifiable?: number;
  readonly repairsEmitted?: number;
  readonly repairsDryRun?: number;
  readonly repairsSuppressed?: number;
}

export interface RunFilter {
  readonly entity?: string;
  readonly status?: RunStatus;
}

const columns = `id, entity, provider, trigger, mode, dry_run, window_from, window_to, ids, status, requested_by,
  page_no, cursor, page_attempts, page_throttles, next_request_at, requested_at, pages, compared, mismatches, deferred,
  unverifiable, repairs_emitted, repairs_dry_run, repairs_suppressed, error, started_at, finished_at`;

/** The `runs` and `watermarks` tables; writes run in the caller's transaction. */
export class RunsRepository {
  /**
   * Starts a run, due for its first page at once. One running run per entity (a unique index): a second
   * start, from another replica or a person, is refused rather than walking the owner twice.
   */
  async start(
    manager: EntityManager,
    input: {
      entity: string;
      provider: string;
      trigger: RunTrigger;
      mode: RunMode;
      dryRun: boolean;
      windowFrom?: Date | null;
      windowTo?: Date | null;
      ids?: readonly string[];
      requestedBy: string;
    },
  ): Promise<Run> {
    const rows = (await manager.query(
      `INSERT INTO runs (id, entity, provider, trigger, mode, dry_run, window_from, window_to, ids, status,
                         requested_by, next_request_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'running', $10, now())
       ON CONFLICT (entity) WHERE status = 'running' DO NOTHING
       RETURNING ${columns}`,
      [
        uuidv7(),
        input.entity,
        input.provider,
        input.trigger,
        input.mode,
        input.dryRun,
        input.windowFrom ?? null,
        input.windowTo ?? null,
        [...(input.ids ?? [])],
        input.requestedBy,
      ],
    )) as RunRow[];
    if (!rows[0]) {
      throw new TributaryError(RunErrorCode.alreadyRunning, `a run of ${input.entity} is already running`);
    }
    return toRun(rows[0]);
  }

  async get(manager: EntityManager, id: string): Promise<Run | undefined> {
    const rows = (await manager.query(`SELECT ${columns} FROM runs WHERE id = $1`, [id])) as RunRow[];
    return rows[0] && toRun(rows[0]);
  }

  /** The run, locked for this transaction: its pages are handled one at a time. */
  async lock(manager: EntityManager, id: string): Promise<Run | undefined> {
    const rows = (await manager.query(`SELECT ${columns} FROM runs WHERE id = $1 FOR UPDATE`, [
      id,
    ])) as RunRow[];
    return rows[0] && toRun(rows[0]);
  }

  /** Running runs whose page is due (first page, retry, or an answer overdue), claimed by this replica. */
  async claimDue(manager: EntityManager, limit: number): Promise<Run[]> {
    const rows = (await manager.query(
      `SELECT ${columns} FROM runs WHERE status = 'running' AND next_request_at <= now()
       ORDER BY next_request_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    )) as RunRow[];
    return rows.map(toRun);
  }

  /** A page was asked for; without an answer in `timeoutMs` it is asked for again. */
  async requested(manager: EntityManager, id: string, timeoutMs: number): Promise<void> {
    await manager.query(
      `UPDATE runs SET requested_at = now(), next_request_at = now() + make_interval(secs => $2) WHERE id = $1`,
      [id, timeoutMs / 1000],
    );
  }

  /** The page failed: ask for it again after `delayMs`. */
  /**
   * The page is asked for again after `delayMs`. A failure counts towards the run's attempts; a refusal
   * for the provider's rate limit counts apart, as back-pressure.
   */
  async retryPage(
    manager: EntityManager,
    id: string,
    retry: { delayMs: number; throttled: boolean },
    counters: RunCounters,
  ): Promise<void> {
    const counter = retry.throttled ? 'page_throttles' : 'page_attempts';
    await manager.query(
      `UPDATE runs SET ${counter} = ${counter} + 1, next_request_at = now() + make_interval(secs => $2),
         unverifiable = unverifiable + $3 WHERE id = $1`,
      [id, retry.delayMs / 1000, counters.unverifiable ?? 0],
    );
  }

  /** A page was handled: its checkpoint (the next page and its token) and its counts, in one write. */
  async pageDone(
    manager: EntityManager,
    id: string,
    next: { pageNo: number; cursor: string | null },
    counters: RunCounters,
  ): Promise<Run> {
    const rows = (await manager.query(
      `UPDATE runs SET page_no = $2, cursor = $3, page_attempts = 0, page_throttles = 0, pages = pages + 1,
         compared = compared + $4, mismatches = mismatches + $5, deferred = deferred + $6
       WHERE id = $1 RETURNING ${columns}`,
      [
        id,
        next.pageNo,
        next.cursor,
        counters.compared ?? 0,
        counters.mismatches ?? 0,
        counters.deferred ?? 0,
      ],
    )) as [RunRow[], number];
    return toRun(rows[0][0]!);
  }

  /**
   * Ends a run. What a full walk saw is needed only until the run concludes what the owner no longer
   * holds, so it goes with the run's end: a daily sweep of 100,000 objects leaves no 100,000 rows behind.
   */
  async finish(
    manager: EntityManager,
    id: string,
    status: Exclude<RunStatus, 'running'>,
    counters: RunCounters & { error?: string | null },
  ): Promise<Run> {
    await manager.query(`DELETE FROM run_seen WHERE run_id = $1`, [id]);
    const rows = (await manager.query(
      `UPDATE runs SET status = $2, finished_at = now(), next_request_at = NULL, error = $3,
         mismatches = mismatches + $4, repairs_emitted = repairs_emitted + $5,
         repairs_dry_run = repairs_dry_run + $6, repairs_suppressed = repairs_suppressed + $7,
         unverifiable = unverifiable + $8
       WHERE id = $1 RETURNING ${columns}`,
      [
        id,
        status,
        counters.error ?? null,
        counters.mismatches ?? 0,
        counters.repairsEmitted ?? 0,
        counters.repairsDryRun ?? 0,
        counters.repairsSuppressed ?? 0,
        counters.unverifiable ?? 0,
      ],
    )) as [RunRow[], number];
    return toRun(rows[0][0]!);
  }

  async markSeen(manager: EntityManager, runId: string, entityIds: readonly string[]): Promise<void> {
    if (entityIds.length === 0) return;
    await manager.query(
      `INSERT INTO run_seen (run_id, entity_id) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING`,
      [runId, [...entityIds]],
    );
  }

  async watermark(
    manager: EntityManager,
    entity: string,
  ): Promise<{ watermark: Date; lastFullAt: Date | null } | undefined> {
    const rows = (await manager.query(`SELECT watermark, last_full_at FROM watermarks WHERE entity = $1`, [
      entity,
    ])) as Array<{ watermark: Date; last_full_at: Date | null }>;
    return rows[0] && { watermark: rows[0].watermark, lastFullAt: rows[0].last_full_at };
  }

  /** After a complete incremental walk: the next one starts from here (minus the overlap). */
  async advanceWatermark(manager: EntityManager, entity: string, to: Date): Promise<void> {
    await manager.query(
      `INSERT INTO watermarks (entity, watermark) VALUES ($1, $2)
       ON CONFLICT (entity) DO UPDATE SET watermark = GREATEST(watermarks.watermark, EXCLUDED.watermark), updated_at = now()`,
      [entity, to],
    );
  }

  async fullSweepDone(manager: EntityManager, entity: string, startedAt: Date): Promise<void> {
    await manager.query(
      `INSERT INTO watermarks (entity, watermark, last_full_at) VALUES ($1, $2, $2)
       ON CONFLICT (entity) DO UPDATE SET last_full_at = $2, updated_at = now()`,
      [entity, startedAt],
    );
  }

  /** Whether a run of the entity is walking now (from the schedule or a person). */
  async isRunning(manager: EntityManager, entity: string): Promise<boolean> {
    const rows = (await manager.query(`SELECT 1 FROM runs WHERE entity = $1 AND status = 'running' LIMIT 1`, [
      entity,
    ])) as unknown[];
    return rows.length > 0;
  }

  /** When the last run of this entity, mode and trigger started, if any. */
  async lastStart(manager: EntityManager, entity: string, mode: RunMode): Promise<Date | undefined> {
    const rows = (await manager.query(
      `SELECT max(started_at) AS at FROM runs WHERE entity = $1 AND mode = $2 AND trigger = 'schedule'`,
      [entity, mode],
    )) as Array<{ at: Date | null }>;
    return rows[0]?.at ?? undefined;
  }

  /** Newest first; `before` is the id of the last run of the previous page (ids are UUIDv7). */
  async list(manager: EntityManager, filter: RunFilter, limit: number, before?: string): Promise<Run[]> {
    const rows = (await manager.query(
      `SELECT ${columns} FROM runs
       WHERE ($1::text IS NULL OR entity = $1) AND ($2::text IS NULL OR status = $2) AND ($3::uuid IS NULL OR id < $3)
       ORDER BY id DESC LIMIT $4`,
      [filter.entity ?? null, filter.status ?? null, before ?? null, limit],
    )) as RunRow[];
    return rows.map(toRun);
  }
}

function toRun(row: RunRow): Run {
  return {
    id: row.id,
    entity: row.entity,
    provider: row.provider,
    trigger: row.trigger,
    mode: row.mode,
    dryRun: row.dry_run,
    windowFrom: row.window_from,
    windowTo: row.window_to,
    ids: row.ids,
    status: row.status,
    requestedBy: row.requested_by,
    pageNo: row.page_no,
    cursor: row.cursor,
    pageAttempts: row.page_attempts,
    pageThrottles: row.page_throttles,
    nextRequestAt: row.next_request_at,
    pages: row.pages,
    compared: row.compared,
    mismatches: row.mismatches,
    deferred: row.deferred,
    unverifiable: row.unverifiable,
    repairsEmitted: row.repairs_emitted,
    repairsDryRun: row.repairs_dry_run,
    repairsSuppressed: row.repairs_suppressed,
    error: row.error,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}
