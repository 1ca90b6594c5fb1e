import type { OwnerFields, ReadMode, ReconciledEntityName } from '@tributary/contracts';
import type { Logger } from '@tributary/observability';
import type { ExternalRef } from '@tributary/persistence';

/**
 * One page the reconciler asks for (`reconciliation.read.requested`), as a reader gets it: optional wire
 * fields resolved to null or empty (docs/architecture.md#reconciliation).
 */
export interface ReadRequest {
  readonly runId: string;
  readonly pageNo: number;
  readonly entity: ReconciledEntityName;
  /** INCREMENTAL: changed in [changedFrom, changedTo]; FULL: everything; IDS: the objects named in `ids`. */
  readonly mode: ReadMode;
  /** This reader's own token from the page before (`ReadPage.nextCursor`); null for the first page. */
  readonly cursor: string | null;
  /** INCREMENTAL: inclusive lower bound of the owner's change time, epoch ms. */
  readonly changedFrom: number | null;
  /** INCREMENTAL: inclusive upper bound, epoch ms; null reads up to now. */
  readonly changedTo: number | null;
  /** IDS: our internal ids (aggregate ids), not the provider's. */
  readonly ids: readonly string[];
  /** Objects per page at most, as asked: the reader caps it at the provider's own maximum (`pageSizeFor`). */
  readonly pageSize: number;
}

/** One object as the owner holds it, normalised to the entity's owned fields. */
export interface ReadRecord {
  /** The provider's id of the object. */
  readonly externalId: string;
  /** Our aggregate id: from the object (metadata, an id property) or `external_refs`; null when unknown. */
  readonly internalId: string | null;
  /** When the owner last changed it (its version), epoch ms. */
  readonly ownerUpdatedAt: number;
  /** Deleted or archived at the owner. */
  readonly deleted: boolean;
  /**
   * `reconciledEntities[entity].ownedFields` and its `platformOwned` fields, every value a string or null.
   * The runtime keeps exactly those (a missing one is null, others are dropped), so a reader cannot send a
   * field the map does not name.
   */
  readonly fields: OwnerFields;
}

export interface ReadPage {
  /** In the provider's order. */
  readonly records: readonly ReadRecord[];
  /**
   * Opaque to the reconciler, which sends it back for the next page and checkpoints it: encode what the
   * reader needs to resume (`encodeCursor`). Null when this page ends the walk.
   */
  readonly nextCursor: string | null;
  /** True when the walk ends with this page. */
  readonly complete: boolean;
}

/** `external_refs` of the connector's provider, read-only: a read changes nothing. */
export interface ExternalRefLookup {
  /** The ref of a provider object, e.g. `find('payment_intent', 'pi_123')`. */
  find(externalType: string, externalId: string): Promise<ExternalRef | null>;
  /** The refs of a page's provider objects of one type, by external id, in one query. */
  findMany(externalType: string, externalIds: readonly string[]): Promise<Map<string, ExternalRef>>;
  /** The provider objects of this type mapped to one of our ids (usually one; two is a duplicate link). */
  findByInternalId(externalType: string, internalId: string): Promise<ExternalRef[]>;
}

/** What a reader gets besides the request. */
export interface ReaderContext<TClient, TConfig> {
  readonly connectorId: string;
  /**
   * The connector's provider client, the one its handlers use. Every call a reader makes through it is low
   * priority: admitted only while the token bucket keeps its reserve for event traffic, and refused at once
   * otherwise (a `PROVIDER_RATE_LIMITED` that becomes a failed page the reconciler asks for again); attempted
   * once, without the client's in-process retries.
   */
  readonly provider: TClient;
  readonly config: TConfig;
  readonly externalRefs: ExternalRefLookup;
  readonly logger: Logger;
  /** Aborted on shutdown: pass it to provider calls. An aborted read answers nothing and is read again. */
  readonly signal: AbortSignal;
  /** Keeps the consumer group membership during a long page (many calls). */
  heartbeat(): Promise<void>;
}

/**
 * Reads one page of one entity from the provider. Throw anything the page cannot be read for (a 429, a 5xx,
 * a timeout, a malformed answer): the runtime answers with a failed page carrying the error's stable code,
 * and the reconciler asks for the same page again later.
 */
export type ConnectorReader<TClient, TConfig> = (
  request: ReadRequest,
  context: ReaderContext<TClient, TConfig>,
) => Promise<ReadPage>;

/** One reader per entity whose owner is this connector's provider (`reconciledEntities[entity].connector`). */
export type ConnectorReaders<TClient, TConfig> = {
  readonly [E in ReconciledEntityName]?: ConnectorReader<TClient, TConfig>;
};
