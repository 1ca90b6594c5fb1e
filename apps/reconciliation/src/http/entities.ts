import { reconciledEntities } from '@tributary/contracts';
import type { ReconciledEntityName } from '@tributary/contracts';

/** The entities that have an owner to reconcile with, for request schemas. */
export const RECONCILED_ENTITIES_LIST = Object.keys(reconciledEntities) as [
  ReconciledEntityName,
  ...ReconciledEntityName[],
];
