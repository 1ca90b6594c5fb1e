/**
 * How an outbox is split between relays (docs/architecture.md#outbox): row → shard by a hash of its Kafka key,
 * and how many shards one relay claims.
 */

/**
 * SQL for a row's shard, evaluated by Postgres when the relay reads: every relay computes it in the same
 * database with the same function, so nothing stored can disagree with the layout in force. Unsigned, so
 * hashtext's int4 minimum needs no abs() (which would overflow).
 */
export function shardOfKeySql(keyColumn: string, shardsParam: string): string {
  return `((hashtext(${keyColumn})::int8 & 4294967295) % ${shardsParam})`;
}

/**
 * The shards a relay should hold when `relays` relays of the same layout are alive: an even split, rounded up
 * so that every shard has a taker, and never more than the process's own cap.
 */
export function fairShare(shards: number, relays: number, maxShards: number): number {
  return Math.min(maxShards, Math.ceil(shards / Math.max(1, relays)));
}

/** Which of the held shards to give back: the highest first, so shard 0 (and its cleanup) stays put. */
export function shardsToRelease(held: ReadonlySet<number>, share: number): number[] {
  const sorted = [...held].sort((a, b) => b - a);
  return sorted.slice(0, Math.max(0, sorted.length - share));
}
