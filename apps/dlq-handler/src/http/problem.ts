import { defineProblems } from '@tributary/service-kit';

/**
 * The problem codes of this API (RFC 9457 `code`) with their status and a short human summary (`title`).
 * Clients, the CLI and alerts key on the code; adding one is backwards compatible, renaming one is not.
 * The kit adds the codes every service shares (routing, body parsing, API keys, rate limits, failures).
 */
export const dlqProblems = defineProblems({
  // This API's 400 for a request its schema refuses; it predates the kit's REQUEST_INVALID (a 422) and
  // clients key on it, so it stays.
  DLQ_REQUEST_INVALID: { status: 400, title: 'The request is not valid' },
  DLQ_FILTER_INVALID: { status: 400, title: 'The dead-letter filter is not valid' },
  DLQ_CURSOR_INVALID: { status: 400, title: 'The cursor is not one this API returned' },
  DEAD_LETTER_NOT_FOUND: { status: 404, title: 'No such dead letter' },
  DEAD_LETTER_STATE_CONFLICT: { status: 409, title: 'The dead letter cannot take this action in its status' },
  REPLAY_TARGET_MISSING: { status: 409, title: 'The retry tier the replay goes to does not exist' },
  // Retention removed what a replay would send (docs/architecture.md#retention); nothing can bring it back.
  DEAD_LETTER_PAYLOAD_SCRUBBED: { status: 410, title: "The dead letter's payload was removed by retention" },
  DLQ_SELECTION_TOO_LARGE: { status: 422, title: 'The selection is larger than one request may cover' },
});

export type ProblemCode = keyof typeof dlqProblems;

/** The codes by the names call sites use. */
export const ProblemCode = {
  requestInvalid: 'DLQ_REQUEST_INVALID',
  filterInvalid: 'DLQ_FILTER_INVALID',
  cursorInvalid: 'DLQ_CURSOR_INVALID',
  deadLetterNotFound: 'DEAD_LETTER_NOT_FOUND',
  stateConflict: 'DEAD_LETTER_STATE_CONFLICT',
  replayTargetMissing: 'REPLAY_TARGET_MISSING',
  payloadScrubbed: 'DEAD_LETTER_PAYLOAD_SCRUBBED',
  selectionTooLarge: 'DLQ_SELECTION_TOO_LARGE',
} as const satisfies Record<string, ProblemCode>;
