import { createHash } from 'node:crypto';
import { fieldDiffs, ownedFieldsOf, platformOwnedDiffs } from '@tributary/contracts';
import type { FindingClass, OwnerFields, ReconciledEntityName } from '@tributary/contracts';

/** The platform's copy of one object, as the projection holds it. */
export interface LocalCopy {
  readonly entityId: string;
  readonly fields: OwnerFields;
  /** Hash of the owned fields both sides last held alike; null before the first agreement. */
  readonly agreedHash: string | null;
  readonly externalId: string | null;
  /** When the platform last applied an event about it (epoch ms). */
  readonly lastEventAt: number;
  readonly deleted: boolean;
  /** An event about it sits unpublished in an outbox: the platform's own write is still in flight. */
  readonly writeInFlight: boolean;
}

/** The owner's copy, as the connector read it. */
export interface OwnerCopy {
  readonly externalId: string;
  readonly internalId: string | null;
  readonly ownerUpdatedAt: number;
  readonly deleted: boolean;
  readonly fields: OwnerFields;
}

/** What the platform stated for the fields it writes onto the owner's object (`platformOwned`). */
export interface StatedCopy {
  readonly fields: OwnerFields;
  /** When the platform recorded the statement (epoch ms): its connector's write may still be on its way. */
  readonly recordedAt: number;
}

export interface ComparisonContext {
  readonly entity: ReconciledEntityName;
  /** When the connector started reading the page. */
  readonly readStartedAt: number;
  readonly now: number;
  /** A change younger than this on either side may still be on its way to the other: judged next run. */
  readonly settleMs: number;
}

export type Verdict =
  | { readonly kind: 'agree'; readonly hash: string }
  | { readonly kind: 'deferred'; readonly reason: string }
  | {
      readonly kind: FindingClass;
      readonly diffs: ReadonlyArray<{ field: string; local: string | null; owner: string | null }>;
      readonly ownerHash: string;
    };

/** sha256 of the owned fields in their map order: what "the same" means for two copies. */
export function ownedHash(entity: ReconciledEntityName, fields: OwnerFields): string {
  return createHash('sha256')
    .update(JSON.stringify(ownedFieldsOf(entity, fields)))
    .digest('hex');
}

/**
 * Judges one object the owner holds against the platform's copy. Owner wins, but only where the owner
 * really moved: when both moved since they last agreed it is a conflict for a person, and when only the
 * platform moved (its write not yet at the owner) it is not a mismatch at all.
 */
export function compare(context: ComparisonContext, owner: OwnerCopy, local: LocalCopy | undefined): Verdict {
  const { entity } = context;
  const ownerHash = ownedHash(entity, owner.fields);
  // Changed while its page was read, or so recently that the other side may not have heard yet.
  if (owner.ownerUpdatedAt >= context.readStartedAt)
    return { kind: 'deferred', reason: 'changed during the read' };
  if (context.now - owner.ownerUpdatedAt < context.settleMs) {
    return { kind: 'deferred', reason: 'owner changed within the settle window' };
  }
  if (local && context.now - local.lastEventAt < context.settleMs) {
    return { kind: 'deferred', reason: 'platform changed within the settle window' };
  }
  if (!local || local.deleted) {
    if (owner.deleted) return { kind: 'agree', hash: ownerHash };
    return { kind: 'missing_locally', diffs: fieldDiffs(entity, {}, owner.fields), ownerHash };
  }
  if (owner.deleted) return { kind: 'missing_at_owner', diffs: [], ownerHash };
  const localHash = ownedHash(entity, local.fields);
  if (localHash === ownerHash) return { kind: 'agree', hash: ownerHash };
  const diffs = fieldDiffs(entity, local.fields, owner.fields);
  if (local.agreedHash !== null) {
    const localMoved = localHash !== local.agreedHash;
    const ownerMoved = ownerHash !== local.agreedHash;
    if (localMoved && ownerMoved) return { kind: 'conflict', diffs, ownerHash };
    if (localMoved) return { kind: 'ahead_locally', diffs, ownerHash };
    return { kind: 'stale_locally', diffs, ownerHash };
  }
  // Never agreed before: the platform is ahead only while its own write is in flight; otherwise the
  // owner's copy is the truth.
  if (local.writeInFlight) return { kind: 'ahead_locally', diffs, ownerHash };
  return { kind: 'stale_locally', diffs, ownerHash };
}

/**
 * What a complete walk of the owner did not return: a platform copy the owner should hold. Only a FULL walk
 * that reached its end may conclude this, and an object younger than the settle window is still on its way.
 */
export function missingAtOwner(
  local: LocalCopy,
  context: Pick<ComparisonContext, 'now' | 'settleMs'>,
): boolean {
  return !local.deleted && !local.writeInFlight && context.now - local.lastEventAt >= context.settleMs;
}

export type WriteBackVerdict =
  | { readonly kind: 'agree' }
  | { readonly kind: 'deferred' }
  | {
      readonly kind: 'stale_at_owner';
      readonly diffs: ReadonlyArray<{ field: string; local: string | null; owner: string | null }>;
    };

/**
 * Judges the other direction, for an object whose owned fields were judged (not deferred): where the owner
 * holds another value of a field the platform owns, the platform wins. Nothing to judge when the platform
 * stated nothing or the owner no longer holds the object; a statement younger than the settle window may
 * not have reached the owner yet.
 */
export function judgeWriteBack(
  context: Pick<ComparisonContext, 'entity' | 'now' | 'settleMs'>,
  owner: OwnerCopy,
  stated: StatedCopy | undefined,
): WriteBackVerdict | undefined {
  if (!stated || owner.deleted) return undefined;
  if (context.now - stated.recordedAt < context.settleMs) return { kind: 'deferred' };
  const diffs = platformOwnedDiffs(context.entity, stated.fields, owner.fields);
  return diffs.length > 0 ? { kind: 'stale_at_owner', diffs } : { kind: 'agree' };
}
