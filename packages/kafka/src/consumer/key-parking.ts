import type { RawHeaders } from '../headers.js';

/**
 * Durable per-key order through the retry tiers and the DLQ (docs/architecture.md#ordering-and-concurrency).
 * While a record of a key (its head) waits in a retry tier, or sits in the DLQ under the `block` policy,
 * later records of that key are parked in a store, in order, and released in order once the head is done.
 * The consumer talks to the store through this port; `@tributary/persistence` implements it on Postgres.
 */

/** Where a record was first read from a source topic: what names a head across tiers and DLQ replays. */
export interface RecordOrigin {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/** Why a key is parked: its head is in a retry tier, or dead-lettered under the `block` policy. */
export type HeadState = 'retrying' | 'dead_lettered';

/** A record waiting behind its key's head, as it was read (bytes and headers untouched). */
export interface ParkedRecord {
  readonly origin: RecordOrigin;
  readonly key: Buffer;
  readonly value: Buffer | null;
  readonly headers: RawHeaders;
  readonly timestamp: string;
}

/** What an operator sees of a group's parked keys. */
export interface ParkingStats {
  readonly keys: number;
  readonly records: number;
  /** When the oldest parked record of the group was parked; undefined when none is. */
  readonly oldestParkedAt: Date | undefined;
}

/** One key being released by one process: held until `close`, and given up by a crash (the claim dies with it). */
export interface ParkedDrain {
  /**
   * The key's next parked record while the key is being released. Undefined when it is not (its new head
   * failed) or when nothing is left, in which case the key is no longer parked.
   */
  next(): Promise<ParkedRecord | undefined>;
  /** The record ran: it leaves the park. With `head`, it failed and now heads its key in that state. */
  settle(record: ParkedRecord, head?: HeadState): Promise<void>;
  close(): Promise<void>;
}

export interface KeyParking {
  /** The keys among `keys` that are parked in `group`, as base64. */
  parkedAmong(group: string, keys: readonly Buffer[]): Promise<Set<string>>;
  /**
   * Parks each record behind its key's head when the key is still parked (checked under the keys' row locks,
   * so a release finishing at the same time either sees the record or was finished before it), in the order
   * given, in one transaction. Parking the same origin twice keeps one. Resolves to the keys (base64) that
   * were released meanwhile: their records were not parked and must be handled.
   */
  park(group: string, records: readonly ParkedRecord[]): Promise<Set<string>>;
  /**
   * The record read at `origin` failed and heads its key from now on, in `state`. With `replacing` false
   * (a record read from a tier) only a key it already heads changes: a replay of an old dead letter of a
   * released key must not park the key's newer records behind it.
   */
  markHead(
    group: string,
    key: Buffer,
    origin: RecordOrigin,
    state: HeadState,
    replacing: boolean,
  ): Promise<void>;
  /**
   * The record read at `origin` is done (handled, or dead-lettered under `skip`): when it heads its key,
   * the key's parked records are released. True when it did.
   */
  headFinished(group: string, key: Buffer, origin: RecordOrigin): Promise<boolean>;
  /** Keys of the group being released, oldest first, for a releaser to claim. */
  releasing(group: string, limit: number): Promise<Buffer[]>;
  /** Claims a releasing key for this process; undefined when another process holds it. */
  claim(group: string, key: Buffer): Promise<ParkedDrain | undefined>;
  /** Up to `limit` origins of the records parked behind a key, in order, and how many there are. */
  parkedBehind(
    group: string,
    key: Buffer,
    limit: number,
  ): Promise<{ count: number; origins: RecordOrigin[] }>;
  stats(group: string): Promise<ParkingStats>;
}

/**
 * How a consumer group keeps order. `key`: records of one key are applied in offset order, also through
 * retries and the DLQ (needs a `KeyParking` store). `none`: a failed record goes to its tier and later ones
 * of its key go ahead. `onDeadLetter` (with `key`): `block` keeps the key parked until its dead letter is
 * replayed and handled, or discarded; `skip` lets the parked records go, the DLQ entry naming them.
 */
export type OrderingOptions =
  | { readonly mode: 'none' }
  | { readonly mode: 'key'; readonly parking: KeyParking; readonly onDeadLetter?: 'block' | 'skip' };

export function sameOrigin(a: RecordOrigin, b: RecordOrigin): boolean {
  return a.topic === b.topic && a.partition === b.partition && a.offset === b.offset;
}
