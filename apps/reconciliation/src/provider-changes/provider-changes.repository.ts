import type { ShapeObservation, ShapeSurface } from '@tributary/provider-shapes';
import type { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { emptyProfile } from './domain/profile.js';
import type { EndpointProfile, ShapeChange, ShapeChangeKind, ShapeChangeSeverity } from './domain/profile.js';

export interface ProviderChange {
  id: string;
  provider: string;
  surface: ShapeSurface;
  endpoint: string;
  status: number | null;
  kind: ShapeChangeKind;
  severity: ShapeChangeSeverity;
  path: string | null;
  value: string | null;
  previous: string | null;
  usedBy: string | null;
  message: string;
  shapeHash: string;
  observer: string;
  occurrences: number;
  firstSeenAt: string;
  lastSeenAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  acknowledgedReason: string | null;
  example: string | null;
}

export interface ProviderChangeFilter {
  provider?: string;
  surface?: ShapeSurface;
  endpoint?: string;
  kind?: ShapeChangeKind;
  severity?: ShapeChangeSeverity;
  status?: 'open' | 'acknowledged';
}

export interface ProviderShapeRow {
  provider: string;
  surface: ShapeSurface;
  endpoint: string;
  status: number | null;
  hash: string;
  fields: { path: string; type: string }[];
  enums: { path: string; value: string }[];
  samples: number;
  firstSeenAt: string;
  lastSeenAt: string;
  example: string;
}

/** A change as recorded: `inserted` false when it added an occurrence to an open one. */
export interface RecordedChange {
  readonly id: string;
  readonly inserted: boolean;
  readonly change: ShapeChange;
}

const changeColumns = `c.id, c.provider, c.surface, c.endpoint, c.status, c.kind, c.severity, c.path, c.value,
  c.previous, c.used_by AS "usedBy", c.message, c.shape_hash AS "shapeHash", c.observer, c.occurrences,
  c.first_seen_at AS "firstSeenAt", c.last_seen_at AS "lastSeenAt", c.acknowledged_at AS "acknowledgedAt",
  c.acknowledged_by AS "acknowledgedBy", c.acknowledged_reason AS "acknowledgedReason", s.example`;

const changeFrom = `provider_changes c LEFT JOIN provider_shapes s
  ON s.provider = c.provider AND s.surface = c.surface AND s.endpoint = c.endpoint AND s.hash = c.shape_hash`;

/** In an upsert: the incoming change is at least as severe as the open one (info < warning < error). */
const severityRank = (column: string) => `array_position(ARRAY['info', 'warning', 'error'], ${column})`;
const escalates = `${severityRank('EXCLUDED.severity')} >= ${severityRank('provider_changes.severity')}`;

const iso = (value: Date | string | null): string | null =>
  value === null ? null : new Date(value).toISOString();

function toChange(row: Record<string, unknown>): ProviderChange {
  return {
    ...(row as unknown as ProviderChange),
    firstSeenAt: iso(row.firstSeenAt as Date)!,
    lastSeenAt: iso(row.lastSeenAt as Date)!,
    acknowledgedAt: iso(row.acknowledgedAt as Date | null),
  };
}

/**
 * The tables of provider shapes (docs/architecture.md#provider-shapes). Every write takes the caller's
 * manager: an observation's profile, shapes and changes commit with its inbox row.
 */
export class ProviderChangesRepository {
  /**
   * The endpoint's profile, its row locked until the transaction ends: windows of one endpoint from several
   * observers (or a rebalance handing its partition over) are applied one after the other.
   */
  async lockProfile(manager: EntityManager, observation: ShapeObservation): Promise<EndpointProfile> {
    const key = [observation.provider, observation.surface, observation.endpoint];
    await manager.query(
      `INSERT INTO provider_endpoints (provider, surface, endpoint, profile, first_seen_at, last_seen_at)
       VALUES ($1, $2, $3, $4::jsonb, $5, $5) ON CONFLICT DO NOTHING`,
      [...key, JSON.stringify(emptyProfile()), observation.windowStart],
    );
    const rows = (await manager.query(
      `SELECT profile FROM provider_endpoints WHERE provider = $1 AND surface = $2 AND endpoint = $3 FOR UPDATE`,
      key,
    )) as { profile: EndpointProfile }[];
    return rows[0]!.profile;
  }

  async saveProfile(
    manager: EntityManager,
    observation: ShapeObservation,
    profile: EndpointProfile,
  ): Promise<void> {
    await manager.query(
      `UPDATE provider_endpoints
       SET profile = $4::jsonb, declaration = $5::jsonb, samples = $6,
           first_seen_at = least(first_seen_at, $7), last_seen_at = greatest(last_seen_at, $8)
       WHERE provider = $1 AND surface = $2 AND endpoint = $3`,
      [
        observation.provider,
        observation.surface,
        observation.endpoint,
        JSON.stringify(profile),
        JSON.stringify(observation.declaration),
        profile.samples,
        observation.windowStart,
        observation.windowEnd,
      ],
    );
  }

  /** Each shape of the window, with the samples its runs count; a known shape keeps its first example. */
  async recordShapes(manager: EntityManager, observation: ShapeObservation): Promise<void> {
    const counts = new Map<string, number>();
    for (const run of observation.runs) counts.set(run.hash, (counts.get(run.hash) ?? 0) + run.count);
    for (const shape of observation.shapes) {
      await manager.query(
        `INSERT INTO provider_shapes (provider, surface, endpoint, hash, status, fields, enums, example, samples, first_seen_at, last_seen_at)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8, $9, $10, $11)
         ON CONFLICT (provider, surface, endpoint, hash) DO UPDATE
         SET samples = provider_shapes.samples + EXCLUDED.samples,
             first_seen_at = least(provider_shapes.first_seen_at, EXCLUDED.first_seen_at),
             last_seen_at = greatest(provider_shapes.last_seen_at, EXCLUDED.last_seen_at)`,
        [
          observation.provider,
          observation.surface,
          observation.endpoint,
          shape.hash,
          shape.status,
          JSON.stringify(shape.fields),
          JSON.stringify(shape.enums),
          shape.example,
          counts.get(shape.hash) ?? 0,
          observation.windowStart,
          observation.windowEnd,
        ],
      );
    }
  }

  /**
   * Records each change: a new row, or one more occurrence of the same change while it is open (another
   * replica's window, a profile that lost a race with a redelivery). The unique open index decides. A repeat
   * never lowers the severity, and one at least as severe brings its usedBy and message: a reliance declared
   * since the change opened escalates it.
   */
  async recordChanges(
    manager: EntityManager,
    observation: ShapeObservation,
    changes: readonly ShapeChange[],
  ): Promise<RecordedChange[]> {
    const recorded: RecordedChange[] = [];
    for (const change of changes) {
      const rows = (await manager.query(
        `INSERT INTO provider_changes (id, provider, surface, endpoint, status, kind, severity, path, value, previous,
           used_by, message, shape_hash, observer, first_seen_at, last_seen_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)
         ON CONFLICT (provider, surface, endpoint, (coalesce(status, -1)), kind, (coalesce(path, '')), (coalesce(value, '')))
           WHERE acknowledged_at IS NULL
         DO UPDATE SET occurrences = provider_changes.occurrences + 1,
           last_seen_at = greatest(provider_changes.last_seen_at, EXCLUDED.last_seen_at),
           severity = CASE WHEN ${escalates} THEN EXCLUDED.severity ELSE provider_changes.severity END,
           used_by = CASE WHEN ${escalates} THEN EXCLUDED.used_by ELSE provider_changes.used_by END,
           message = CASE WHEN ${escalates} THEN EXCLUDED.message ELSE provider_changes.message END
         RETURNING id, (xmax = 0) AS inserted`,
        [
          uuidv7(),
          observation.provider,
          observation.surface,
          observation.endpoint,
          change.status,
          change.kind,
          change.severity,
          change.path,
          change.value,
          change.previous,
          change.usedBy,
          change.message,
          change.shapeHash,
          observation.observer,
          observation.windowEnd,
        ],
      )) as { id: string; inserted: boolean }[];
      recorded.push({ id: rows[0]!.id, inserted: rows[0]!.inserted, change });
    }
    return recorded;
  }

  /** Newest first (ids are UUIDv7: the order changes were found in); `before` is the last id of a page. */
  async list(
    manager: EntityManager,
    filter: ProviderChangeFilter,
    limit: number,
    before?: string,
  ): Promise<ProviderChange[]> {
    const rows = (await manager.query(
      `SELECT ${changeColumns} FROM ${changeFrom}
       WHERE ($1::text IS NULL OR c.provider = $1) AND ($2::text IS NULL OR c.surface = $2)
         AND ($3::text IS NULL OR c.endpoint = $3) AND ($4::text IS NULL OR c.kind = $4)
         AND ($5::text IS NULL OR c.severity = $5)
         AND ($6::text IS NULL OR ($6 = 'open') = (c.acknowledged_at IS NULL))
         AND ($7::uuid IS NULL OR c.id < $7)
       ORDER BY c.id DESC LIMIT $8`,
      [
        filter.provider ?? null,
        filter.surface ?? null,
        filter.endpoint ?? null,
        filter.kind ?? null,
        filter.severity ?? null,
        filter.status ?? null,
        before ?? null,
        limit,
      ],
    )) as Record<string, unknown>[];
    return rows.map(toChange);
  }

  async get(manager: EntityManager, id: string, lock = false): Promise<ProviderChange | undefined> {
    const rows = (await manager.query(
      `SELECT ${changeColumns} FROM ${changeFrom} WHERE c.id = $1 ${lock ? 'FOR UPDATE OF c' : ''}`,
      [id],
    )) as Record<string, unknown>[];
    return rows[0] ? toChange(rows[0]) : undefined;
  }

  async acknowledge(manager: EntityManager, id: string, by: string, reason: string): Promise<void> {
    await manager.query(
      `UPDATE provider_changes SET acknowledged_at = now(), acknowledged_by = $2, acknowledged_reason = $3
       WHERE id = $1 AND acknowledged_at IS NULL`,
      [id, by, reason],
    );
  }

  async listShapes(
    manager: EntityManager,
    filter: Pick<ProviderChangeFilter, 'provider' | 'surface' | 'endpoint'>,
    limit: number,
  ): Promise<ProviderShapeRow[]> {
    const rows = (await manager.query(
      `SELECT provider, surface, endpoint, status, hash, fields, enums, samples::float8 AS samples,
         first_seen_at AS "firstSeenAt", last_seen_at AS "lastSeenAt", example
       FROM provider_shapes
       WHERE ($1::text IS NULL OR provider = $1) AND ($2::text IS NULL OR surface = $2)
         AND ($3::text IS NULL OR endpoint = $3)
       ORDER BY provider, surface, endpoint, status NULLS FIRST, first_seen_at LIMIT $4`,
      [filter.provider ?? null, filter.surface ?? null, filter.endpoint ?? null, limit],
    )) as Record<string, unknown>[];
    return rows.map((row) => ({
      ...(row as unknown as ProviderShapeRow),
      firstSeenAt: iso(row.firstSeenAt as Date)!,
      lastSeenAt: iso(row.lastSeenAt as Date)!,
    }));
  }

  /**
   * Open changes by provider, endpoint and severity, surfaces summed, for the gauge: every combination that
   * has any change, 0 where all are acknowledged, so acknowledging the last one lowers the figure to 0.
   */
  async openCounts(
    manager: EntityManager,
  ): Promise<{ provider: string; endpoint: string; severity: ShapeChangeSeverity; count: number }[]> {
    return (await manager.query(
      `SELECT provider, endpoint, severity, (count(*) FILTER (WHERE acknowledged_at IS NULL))::int AS count
       FROM provider_changes GROUP BY provider, endpoint, severity`,
    )) as { provider: string; endpoint: string; severity: ShapeChangeSeverity; count: number }[];
  }
}
