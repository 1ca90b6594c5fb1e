import type { ExternalRefRepository } from '@tributary/persistence';
import type { ExternalRefResolver } from '@tributary/webhooks';
import type { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';

/** The definitions' view of `external_refs` for one provider, inside the caller's transaction. */
export function externalRefResolver(
  refs: ExternalRefRepository,
  provider: string,
  manager: EntityManager,
): ExternalRefResolver {
  return {
    find: async (externalType, externalId) =>
      (await refs.find({ provider, externalType, externalId }, manager))?.internalId,
    getOrCreate: async (externalType, externalId) =>
      (await refs.getOrCreate({ provider, externalType, externalId }, () => uuidv7(), manager)).ref
        .internalId,
  };
}
