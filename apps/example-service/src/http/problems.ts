import { defineProblems } from '@tributary/service-kit';

/** The problem codes of this API (RFC 9457 `code`); adding one is compatible, renaming one is not. */
export const exampleServiceProblems = defineProblems({
  ORDER_INVALID: { status: 400, title: 'The order request is not valid' },
  ORDER_NOT_FOUND: { status: 404, title: 'No such order' },
  // The encoder's code: a payload the event's Avro schema refuses, caught before anything commits.
  SCHEMA_VALIDATION_FAILED: { status: 422, title: 'The event does not match its schema' },
});
