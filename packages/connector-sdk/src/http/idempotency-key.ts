/**
 * The idempotency key of the effect one event causes at a provider (docs/architecture.md#idempotency-keys).
 * Deterministic in (connector, event id), so a redelivery after a crash sends the same key and gets the
 * provider's first answer. `operation` separates several effectful calls made for one event.
 *
 * Readable rather than hashed: support staff find it in the provider's dashboard next to the event id.
 * Stays within Stripe's 255-character limit for any UUID event id and a sane connector id.
 */
export function idempotencyKeyFor(connectorId: string, eventId: string, operation?: string): string {
  if (!connectorId || !eventId) throw new Error('idempotencyKeyFor needs a connector id and an event id');
  return operation
    ? `tributary:${connectorId}:${eventId}:${operation}`
    : `tributary:${connectorId}:${eventId}`;
}
