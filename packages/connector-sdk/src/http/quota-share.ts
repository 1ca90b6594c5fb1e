/**
 * A replica holding no partition still answers reconciliation reads (their own group, their own
 * assignment) and may have a call of a record it was handling before a rebalance: it keeps at most this
 * much, so every idle replica together overshoots the provider's quota by no more than this per replica.
 */
export const IDLE_REPLICA_MAX_REQUESTS_PER_SECOND = 1;

/**
 * The share of the provider's quota one replica paces to (docs/architecture.md#connectors): the source
 * partitions Kafka assigned it over all of them, since that is its share of the records to handle, and
 * the shares of the group's members add up to 1 after every rebalance. A replica with no partition keeps
 * what one partition would give it, at most `IDLE_REPLICA_MAX_REQUESTS_PER_SECOND` of `requestsPerSecond`
 * (the configured whole quota; without one, one partition's share), so reads still go. Never 0, so a
 * rate learned from 429s can be carried from one share to the next in proportion.
 */
export function quotaShareOf(
  assignment: { readonly assigned: number; readonly total: number },
  requestsPerSecond?: number,
): number {
  const { assigned, total } = assignment;
  if (total <= 0 && assigned > 0) return 1;
  if (assigned > 0) return Math.min(1, assigned / total);
  // Nothing assigned: one partition's share, or with no count known, the idle floor alone (never the whole).
  const onePartition = total > 0 ? 1 / total : 1;
  if (requestsPerSecond === undefined || !(requestsPerSecond > 0)) return onePartition;
  return Math.min(onePartition, IDLE_REPLICA_MAX_REQUESTS_PER_SECOND / requestsPerSecond);
}
