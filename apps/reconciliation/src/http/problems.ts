import { defineProblems } from '@tributary/service-kit';

/** The problem codes of this API (RFC 9457 `code`); adding one is compatible, renaming one is not. */
export const reconciliationProblems = defineProblems({
  RECONCILIATION_RUN_NOT_FOUND: { status: 404, title: 'No such run' },
  RECONCILIATION_FINDING_NOT_FOUND: { status: 404, title: 'No such finding' },
  RECONCILIATION_RUN_ALREADY_RUNNING: { status: 409, title: 'A run of this entity is already running' },
  RECONCILIATION_FINDING_STATE_CONFLICT: { status: 409, title: 'The finding cannot change that way' },
  RECONCILIATION_FINDING_NOT_REPAIRABLE: { status: 422, title: 'No event can state the owner value' },
  RECONCILIATION_PROVIDER_CHANGE_NOT_FOUND: { status: 404, title: 'No such provider change' },
  RECONCILIATION_PROVIDER_CHANGE_ACKNOWLEDGED: { status: 409, title: 'The change is already acknowledged' },
  RECONCILIATION_CURSOR_INVALID: { status: 400, title: 'The cursor is not one this API returned' },
});
