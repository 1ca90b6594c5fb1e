import type { OwnerFields } from '@tributary/contracts';
import type { EntityManager } from 'typeorm';
import type { StatedCopy } from '../runs/domain/comparison.js';
import type { PlatformStatement } from './domain/projection.js';

/**
 * The `platform_owned` table: per object, the latest values the platform decided for the fields it writes
 * onto the owner. Every write runs in the caller's transaction (the inbox's).
 */
export class PlatformOwnedRepository {
  /** Records a statement unless a later one is stored: payments of one customer may arrive out of order. */
  async state(manager: EntityManager, statement: PlatformStatement, eventId: string): Promise<void> {
    await manager.query(
      `INSERT INTO platform_owned (entity, entity_id, fields, stated_at, recorded_at, last_event_id)
       VALUES ($1, $2, $3::jsonb, $4, now(), $5)
       ON CONFLICT (entity, entity_id) DO UPDATE SET
         fields = EXCLUDED.fields, stated_at = EXCLUDED.stated_at, recorded_at = now(),
         last_event_id = EXCLUDED.last_event_id
       WHERE platform_owned.stated_at <= EXCLUDED.stated_at`,
      [
        statement.entity,
        statement.entityId,
        JSON.stringify(statement.fields),
        new Date(statement.statedAt),
        eventId,
      ],
    );
  }

  /** The statements about a page's objects, by our id. One query. */
  async loadPage(
    manager: EntityManager,
    entity: string,
    ids: readonly string[],
  ): Promise<Map<string, StatedCopy>> {
    if (ids.length === 0) return new Map();
    const rows = (await manager.query(
      `SELECT entity_id, fields, recorded_at FROM platform_owned WHERE entity = $1 AND entity_id = ANY($2::text[])`,
      [entity, [...ids]],
    )) as Array<{ entity_id: string; fields: OwnerFields; recorded_at: Date }>;
    return new Map(
      rows.map((row) => [row.entity_id, { fields: row.fields, recordedAt: row.recorded_at.getTime() }]),
    );
  }
}
