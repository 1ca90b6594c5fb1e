import type { DataSource, EntityManager } from 'typeorm';
import { schemaOf } from '../data-source.js';
import { invalid, PersistenceErrorCode } from '../errors.js';
import { namesFor } from '../names.js';

/** A provider's identity of something: Stripe `customer` `cus_123`. */
export interface ExternalKey {
  readonly provider: string;
  readonly externalType: string;
  readonly externalId: string;
}

export interface ExternalRef extends ExternalKey {
  /** Our stable aggregate id: the Kafka key of every event about it. */
  readonly internalId: string;
  readonly createdAt: Date;
  /** When internalId last changed. */
  readonly updatedAt: Date;
}

interface ExternalRefRow {
  provider: string;
  external_type: string;
  external_id: string;
  internal_id: string;
  created_at: Date;
  updated_at: Date;
}

const columns = 'provider, external_type, external_id, internal_id, created_at, updated_at';

/**
 * Maps provider ids to internal ids (docs/architecture.md#topics), so events are keyed by our stable
 * aggregate id and never by a provider's. Every method takes an optional EntityManager to join the caller's
 * transaction.
 */
export class ExternalRefRepository {
  readonly #table: string;

  /**
   * `schema` defaults to the DataSource's. Another schema of the same database lets a second service share
   * one provider's refs: ingestion maps a connector's webhooks with the ids that connector recorded.
   */
  constructor(
    private readonly dataSource: DataSource,
    options: { readonly schema?: string } = {},
  ) {
    this.#table = namesFor(options.schema ?? schemaOf(dataSource)).externalRefsTable;
  }

  async find(key: ExternalKey, manager?: EntityManager): Promise<ExternalRef | null> {
    const rows = (await this.#db(manager).query(
      `SELECT ${columns} FROM ${this.#table} WHERE provider = $1 AND external_type = $2 AND external_id = $3`,
      keyParams(key),
    )) as ExternalRefRow[];
    return rows[0] ? toRef(rows[0]) : null;
  }

  /** The refs of many provider objects of one type, in one query (a reader's page). */
  async findMany(
    key: { provider: string; externalType: string },
    externalIds: readonly string[],
    manager?: EntityManager,
  ): Promise<ExternalRef[]> {
    if (externalIds.length === 0) return [];
    const rows = (await this.#db(manager).query(
      `SELECT ${columns} FROM ${this.#table} WHERE provider = $1 AND external_type = $2 AND external_id = ANY($3::text[])`,
      [key.provider, key.externalType, [...externalIds]],
    )) as ExternalRefRow[];
    return rows.map(toRef);
  }

  async findByInternalId(internalId: string, manager?: EntityManager): Promise<ExternalRef[]> {
    const rows = (await this.#db(manager).query(
      `SELECT ${columns} FROM ${this.#table} WHERE internal_id = $1 ORDER BY provider, external_type, external_id`,
      [internalId],
    )) as ExternalRefRow[];
    return rows.map(toRef);
  }

  /** Sets the mapping, replacing an existing internal id (updatedAt moves only when it changes). */
  async upsert(
    ref: ExternalKey & { readonly internalId: string },
    manager?: EntityManager,
  ): Promise<ExternalRef> {
    requireText(ref.internalId, 'internalId');
    const table = this.#table;
    const rows = (await this.#db(manager).query(
      `INSERT INTO ${table} AS t (provider, external_type, external_id, internal_id) VALUES ($1, $2, $3, $4)
       ON CONFLICT (provider, external_type, external_id) DO UPDATE
         SET internal_id = EXCLUDED.internal_id,
             updated_at = CASE WHEN t.internal_id = EXCLUDED.internal_id THEN t.updated_at ELSE now() END
       RETURNING ${columns}`,
      [...keyParams(ref), ref.internalId],
    )) as ExternalRefRow[];
    return toRef(rows[0]!);
  }

  /**
   * Returns the existing mapping, or stores `newInternalId()` for a provider id seen for the first time.
   * Concurrent first sightings agree on one internal id: the losing insert waits for the winner and reads
   * its row (under READ COMMITTED, the default).
   */
  async getOrCreate(
    key: ExternalKey,
    newInternalId: () => string,
    manager?: EntityManager,
  ): Promise<{ readonly ref: ExternalRef; readonly created: boolean }> {
    const internalId = newInternalId();
    requireText(internalId, 'internalId');
    const inserted = (await this.#db(manager).query(
      `INSERT INTO ${this.#table} (provider, external_type, external_id, internal_id) VALUES ($1, $2, $3, $4)
       ON CONFLICT (provider, external_type, external_id) DO NOTHING
       RETURNING ${columns}`,
      [...keyParams(key), internalId],
    )) as ExternalRefRow[];
    if (inserted[0]) return { ref: toRef(inserted[0]), created: true };
    const existing = await this.find(key, manager);
    if (!existing) throw new Error(`external_refs row for ${describe(key)} vanished between insert and read`);
    return { ref: existing, created: false };
  }

  #db(manager: EntityManager | undefined): Pick<EntityManager, 'query'> {
    return manager ?? this.dataSource;
  }
}

function keyParams(key: ExternalKey): [string, string, string] {
  requireText(key.provider, 'provider');
  requireText(key.externalType, 'externalType');
  requireText(key.externalId, 'externalId');
  return [key.provider, key.externalType, key.externalId];
}

function requireText(value: string, field: string): void {
  if (typeof value !== 'string' || value.length === 0) {
    throw invalid(
      PersistenceErrorCode.externalRefInvalid,
      `External ref ${field} must be a non-empty string.`,
    );
  }
}

function describe(key: ExternalKey): string {
  return `${key.provider}/${key.externalType}/${key.externalId}`;
}

function toRef(row: ExternalRefRow): ExternalRef {
  return {
    provider: row.provider,
    externalType: row.external_type,
    externalId: row.external_id,
    internalId: row.internal_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
