import { ExternalRefRepository } from '@tributary/persistence';
import type { ExternalRefResolver } from '@tributary/webhooks';
import type { DataSource, EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';

/**
 * The definitions' view of `external_refs`, per provider: in ingestion's own schema, or in the schema a
 * provider is configured to share (EXTERNAL_REFS_SCHEMAS), where its connector records the provider's ids.
 */
export class ProviderRefs {
  readonly #own: ExternalRefRepository;
  readonly #shared: ReadonlyMap<string, ExternalRefRepository>;

  constructor(dataSource: DataSource, schemas: Readonly<Record<string, string>>) {
    this.#own = new ExternalRefRepository(dataSource);
    this.#shared = new Map(
      Object.entries(schemas).map(([provider, schema]) => [
        provider,
        new ExternalRefRepository(dataSource, { schema }),
      ]),
    );
  }

  /** Bound to the caller's transaction, so a mapping's new ref commits or rolls back with its event. */
  resolver(provider: string, manager: EntityManager): ExternalRefResolver {
    const refs = this.#shared.get(provider) ?? this.#own;
    return {
      find: async (externalType, externalId) =>
        (await refs.find({ provider, externalType, externalId }, manager))?.internalId,
      getOrCreate: async (externalType, externalId) =>
        (await refs.getOrCreate({ provider, externalType, externalId }, () => uuidv7(), manager)).ref
          .internalId,
    };
  }
}
