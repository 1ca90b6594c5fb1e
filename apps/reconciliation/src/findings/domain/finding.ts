import type { FindingClass } from '@tributary/contracts';

/** What was decided about a finding. */
export const FINDING_DECISIONS = [
  /** Held until the run completes within its guardrails, then emitted. */
  'repair_pending',
  /** The corrective event is in the outbox. */
  'repaired',
  /** The entity's repairs are not enabled (or the run was a dry run): reported only. */
  'dry_run',
  /** The run's guardrail tripped: nothing was repaired. */
  'suppressed',
  /** The ownership map does not allow this class to be repaired without a person. */
  'pending_approval',
  /** A deletion is repaired only once a second complete walk misses the object too. */
  'awaiting_second_sighting',
  /** No event type can state the owner's value (a payment the owner still has pending). */
  'not_repairable',
  /** A person approved it; the repair was emitted. */
  'approved',
  /** A person dismissed it. */
  'dismissed',
  /** Not a disagreement (the platform is ahead): nothing to do. */
  'none',
] as const;
export type FindingDecision = (typeof FINDING_DECISIONS)[number];

export const FINDING_STATUSES = ['open', 'resolved', 'dismissed'] as const;
export type FindingStatus = (typeof FINDING_STATUSES)[number];

/** Only these may still change by a person's hand. */
export function approvable(decision: FindingDecision, status: FindingStatus): boolean {
  return (
    status === 'open' &&
    ['pending_approval', 'dry_run', 'suppressed', 'awaiting_second_sighting'].includes(decision)
  );
}

export function dismissable(status: FindingStatus): boolean {
  return status === 'open';
}

export type { FindingClass };
