/**
 * The machine-readable side of the ownership map for reconciliation (docs/architecture.md#reconciliation):
 * for each entity whose truth lives outside the platform, the system a program acts on, the connector that
 * reads it, the fields the owner controls (the vocabulary both the connector's snapshot and the
 * reconciler's projection are normalised to), the repair direction and what may be repaired without a
 * person. Both sides import these names, so a connector and the reconciler cannot disagree on a field.
 */
import type { EventType } from './generated/events.js';
import type { EntityName } from './ownership.js';

/** What a comparison of one object with its owner can find. */
export const FINDING_CLASSES = [
  /** The owner has it; the platform never heard of it (a dropped webhook, an event never generated). */
  'missing_locally',
  /** The platform has it; the owner deleted or archived it. */
  'missing_at_owner',
  /** The owner changed it after the platform's last copy (an edit in the provider's dashboard). */
  'stale_locally',
  /**
   * A field the platform owns and writes to the owner holds another value there (an edit in the provider's
   * dashboard undid our write, or our write never arrived): the connector writes ours back.
   */
  'stale_at_owner',
  /** The platform's copy is newer, or its write is still in flight: not a mismatch. */
  'ahead_locally',
  /** Both sides changed it since they last agreed: a person decides. */
  'conflict',
  /** Two platform records claim one owner object. */
  'duplicate_link',
  /** The owner could not be read: never counted as a mismatch. */
  'unverifiable',
] as const;
export type FindingClass = (typeof FINDING_CLASSES)[number];

/** The classes that are disagreements; `ahead_locally` and `unverifiable` are not. */
export const MISMATCH_CLASSES: readonly FindingClass[] = [
  'missing_locally',
  'missing_at_owner',
  'stale_locally',
  'stale_at_owner',
  'conflict',
  'duplicate_link',
];

export interface ReconciledEntity {
  readonly entity: EntityName;
  /** The owner as a system id: the `provider` of the connector that reads it. */
  readonly owner: string;
  /** The connector app (`apps/connector-<connector>`) that answers reconciliation reads for it. */
  readonly connector: string;
  /** `owner-wins`: the platform's copy of `ownedFields` is repaired from the owner, never the other way round. */
  readonly direction: 'owner-wins';
  /** The fields the owner controls, normalised; compared and hashed in this order. */
  readonly ownedFields: readonly string[];
  /**
   * The other direction: fields the platform decides and its connector writes onto the owner's object
   * (normalised like `ownedFields`, read back by the same reader). Where the owner holds another value, the
   * platform wins: `stale_at_owner`, repaired by `writeBack`, a command the connector's idempotent write path
   * answers. Judged apart from the owned fields, and only where the platform has stated a value.
   */
  readonly platformOwned?: {
    readonly fields: readonly string[];
    /**
     * The event type of the command, on the entity's topic, keyed by our id. None: the connector has no
     * write for it yet, so a finding waits for a person, who corrects the owner by hand.
     */
    readonly writeBack?: EventType;
  };
  /** Classes repaired without a person (when the entity's repairs are enabled); others wait for approval. */
  readonly autoRepair: readonly FindingClass[];
}

export const reconciledEntities: { readonly [E in 'payment' | 'contact' | 'shipment']: ReconciledEntity } = {
  payment: {
    entity: 'payment',
    owner: 'stripe',
    connector: 'payments',
    direction: 'owner-wins',
    // status: pending | succeeded | failed | canceled (the provider's own states mapped onto ours).
    ownedFields: ['status', 'amountMinor', 'currency'],
    // The order a payment is for is ours (the intent's metadata, set when the connector created it): an
    // order id edited in Stripe's dashboard must never move a payment to another order here.
    platformOwned: { fields: ['orderId'] },
    autoRepair: ['missing_locally', 'stale_locally'],
  },
  contact: {
    entity: 'contact',
    owner: 'hubspot',
    connector: 'crm',
    direction: 'owner-wins',
    ownedFields: ['email', 'givenName', 'familyName', 'phone', 'marketingConsent'],
    // A paying customer is a customer in the CRM, marked with the order that made it one (the CRM connector's
    // upsert on payments.payment.succeeded); a sales rep moving the stage back in HubSpot is undone.
    platformOwned: {
      fields: ['lifecycleStage', 'lastPaidOrderId'],
      writeBack: 'crm.contact.write_back_requested',
    },
    // A contact archived in the CRM is archived here too, but only after two complete walks missed it.
    autoRepair: ['stale_locally', 'missing_locally', 'missing_at_owner', 'stale_at_owner'],
  },
  shipment: {
    entity: 'shipment',
    owner: 'easypost',
    connector: 'logistics',
    direction: 'owner-wins',
    // status: requested | created | delivered.
    ownedFields: ['status', 'carrier', 'trackingNumber', 'orderId'],
    autoRepair: ['missing_locally', 'stale_locally'],
  },
};

export type ReconciledEntityName = keyof typeof reconciledEntities;

export function isReconciledEntity(entity: string): entity is ReconciledEntityName {
  return Object.hasOwn(reconciledEntities, entity);
}

/** Owner fields as they travel: every value a string or null, so any entity compares the same way. */
export type OwnerFields = Readonly<Record<string, string | null>>;

/**
 * The owned fields of an entity in a stable form, keys in the map's order, absent ones as null: what is
 * compared and hashed. Fields the owner does not control are dropped.
 */
export function ownedFieldsOf(
  entity: ReconciledEntityName,
  fields: OwnerFields,
): Record<string, string | null> {
  return Object.fromEntries(
    reconciledEntities[entity].ownedFields.map((name) => [name, fields[name] ?? null]),
  );
}

/** The fields an owner's object may report: those it owns and those the platform writes onto it. */
export function readableFieldsOf(entity: ReconciledEntityName): readonly string[] {
  const { ownedFields, platformOwned } = reconciledEntities[entity];
  return [...ownedFields, ...(platformOwned?.fields ?? [])];
}

/**
 * The platform-owned fields on which the owner differs from what the platform stated. A field the platform
 * has no value for (null) is not the platform's to judge.
 */
export function platformOwnedDiffs(
  entity: ReconciledEntityName,
  stated: OwnerFields,
  owner: OwnerFields,
): Array<{ field: string; local: string | null; owner: string | null }> {
  return (reconciledEntities[entity].platformOwned?.fields ?? [])
    .filter((field) => (stated[field] ?? null) !== null && stated[field] !== (owner[field] ?? null))
    .map((field) => ({ field, local: stated[field] ?? null, owner: owner[field] ?? null }));
}

/** The owned fields on which two copies differ, with both values. */
export function fieldDiffs(
  entity: ReconciledEntityName,
  local: OwnerFields,
  owner: OwnerFields,
): Array<{ field: string; local: string | null; owner: string | null }> {
  return reconciledEntities[entity].ownedFields
    .filter((field) => (local[field] ?? null) !== (owner[field] ?? null))
    .map((field) => ({ field, local: local[field] ?? null, owner: owner[field] ?? null }));
}
