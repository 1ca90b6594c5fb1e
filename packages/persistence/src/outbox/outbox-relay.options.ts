import type { RecordSink } from '@tributary/kafka';
import type { DataSource } from 'typeorm';

export interface OutboxRelayOptions {
  /** An initialized DataSource of the outbox's schema: its settings open the relay's own connection and
   * its pool runs the metric and cleanup queries. */
  readonly dataSource: DataSource;
  /** Where rows go; resolves only when Kafka acknowledged them (acks=all). */
  readonly sink: RecordSink;
  /** Rows per sink.send (default 500). */
  readonly batchSize?: number;
  /** Bytes per sink.send (value + key + stored headers size), at least one row (default 768 KiB): keeps
   * each Kafka request under the broker's default 1 MiB message.max.bytes. */
  readonly maxBatchBytes?: number;
  /**
   * Shards the outbox's rows are split into by a hash of their Kafka key (default 1: one publisher for the
   * whole outbox). Each shard has at most one publishing relay, so several replicas publish in parallel and
   * a key's rows still have one publisher. Fixed for every relay of an outbox: relays of another count wait
   * until the last relay of the old count is gone (docs/architecture.md#outbox).
   */
  readonly shards?: number;
  /** Shards this process holds at most (default all): with N replicas each holds about shards / N. */
  readonly maxShards?: number;
  /** How often free shards are claimed and a share above the fair one given back (default 500 ms): the
   * longest a dead relay's shards wait for a taker. */
  readonly claimIntervalMs?: number;
  /** Fallback scan when no NOTIFY arrives, e.g. for rows written with notify off (default 1000 ms). */
  readonly pollIntervalMs?: number;
  /** How often pending count and oldest age are measured (default 5000 ms). */
  readonly metricsIntervalMs?: number;
  /** Published rows older than this are deleted (default 24 h). */
  readonly retentionMs?: number;
  /** How often the cleanup runs while active (default 60 s). */
  readonly cleanupIntervalMs?: number;
  /** Rows per cleanup DELETE, so a large cleanup never holds long locks (default 10000). */
  readonly cleanupBatchSize?: number;
  /** Backoff after a sink or connection failure: full jitter between 0 and min(max, initial·2^attempt). */
  readonly retryInitialMs?: number;
  readonly retryMaxMs?: number;
  /** application_name of the relay's connection (default `tributary-outbox-relay`). */
  readonly applicationName?: string;
  /** Lifecycle and progress notifications (logs, tests, worker output). Must not throw. */
  readonly onEvent?: (event: RelayEvent) => void;
}

export type RelayEvent =
  | { readonly type: 'standby' }
  | { readonly type: 'active' }
  /** The relays of another layout are alive; this one waits until they are gone. */
  | { readonly type: 'layout-conflict'; readonly reason: 'unsharded-relay' | 'other-shard-count' }
  | { readonly type: 'claimed'; readonly shard: number; readonly relays: number }
  | { readonly type: 'released'; readonly shard: number; readonly relays: number }
  | {
      readonly type: 'published';
      readonly shard: number;
      readonly count: number;
      readonly firstId: string;
      readonly lastId: string;
      readonly durationMs: number;
    }
  | {
      readonly type: 'sink-failed';
      readonly error: unknown;
      readonly attempt: number;
      readonly retryInMs: number;
    }
  | {
      readonly type: 'connection-lost';
      readonly error: unknown;
      readonly attempt: number;
      readonly retryInMs: number;
    }
  | { readonly type: 'cleanup'; readonly deleted: number }
  | { readonly type: 'background-failed'; readonly task: 'metrics' | 'cleanup'; readonly error: unknown }
  | { readonly type: 'stopped' };

export type ResolvedRelayOptions = Required<Omit<OutboxRelayOptions, 'onEvent'>> &
  Pick<OutboxRelayOptions, 'onEvent'>;

const positive = [
  'batchSize',
  'maxBatchBytes',
  'pollIntervalMs',
  'metricsIntervalMs',
  'retentionMs',
  'cleanupIntervalMs',
  'cleanupBatchSize',
  'retryInitialMs',
  'retryMaxMs',
  'shards',
  'maxShards',
  'claimIntervalMs',
] as const;

export function resolveRelayOptions(options: OutboxRelayOptions): ResolvedRelayOptions {
  const resolved: ResolvedRelayOptions = {
    // About what maxBatchBytes lets through for 1 KiB events: a larger LIMIT reads rows only to drop them.
    batchSize: 500,
    maxBatchBytes: 768 * 1024,
    pollIntervalMs: 1000,
    metricsIntervalMs: 5000,
    retentionMs: 24 * 60 * 60 * 1000,
    cleanupIntervalMs: 60_000,
    cleanupBatchSize: 10_000,
    retryInitialMs: 200,
    retryMaxMs: 10_000,
    applicationName: 'tributary-outbox-relay',
    shards: 1,
    claimIntervalMs: 500,
    ...definedOnly(options),
    maxShards: options.maxShards ?? options.shards ?? 1,
    dataSource: options.dataSource,
    sink: options.sink,
  };
  for (const name of positive) {
    const value = resolved[name];
    if (!Number.isFinite(value) || value <= 0) {
      throw new RangeError(`OutboxRelay option ${name} must be a positive number, got ${String(value)}.`);
    }
  }
  for (const name of ['batchSize', 'shards', 'maxShards'] as const) {
    if (!Number.isInteger(resolved[name]))
      throw new RangeError(`OutboxRelay option ${name} must be an integer.`);
  }
  // The shard count is the negative second key of the layout lock (an int4).
  if (resolved.shards > 1024) throw new RangeError('OutboxRelay option shards must be at most 1024.');
  return resolved;
}

/** Exponential backoff with full jitter: retries of many relays (or many restarts) spread out. */
export function backoffMs(
  attempt: number,
  initialMs: number,
  maxMs: number,
  random: () => number = Math.random,
) {
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling * random());
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
