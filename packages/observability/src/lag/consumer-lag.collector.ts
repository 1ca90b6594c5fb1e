import { registry as defaultRegistry } from '../metrics.js';
import type { Registry } from 'prom-client';
import type { Logger } from '../logging/logger.js';
import { LagEstimator } from './lag-estimator.js';
import { createConsumerLagMetrics } from './consumer-lag.metrics.js';
import type { ConsumerLagMetrics } from './consumer-lag.metrics.js';

export interface PartitionOffset {
  topic: string;
  partition: number;
  offset: number;
}

export interface CommittedOffset {
  topic: string;
  partition: number;
  /** The committed offset (next record to read); null or negative where the group has committed nothing. */
  offset: number | null;
}

/**
 * What the collector needs from Kafka, as plain functions so this package does not depend on a Kafka
 * client (the kafka package implements it over the admin client).
 */
export interface ConsumerLagSource {
  /** Every consumer group to report, including groups without members (idle or stopped). */
  listGroups(): Promise<string[]>;
  /** Committed offsets of one group, for every partition of the topics it consumes. */
  fetchCommittedOffsets(group: string): Promise<CommittedOffset[]>;
  /** Latest offsets (high watermarks) of every partition of these topics. */
  fetchLatestOffsets(topics: string[]): Promise<PartitionOffset[]>;
}

export interface ConsumerLagCollectorOptions {
  source: ConsumerLagSource;
  /** Default: the shared registry of this package. */
  registry?: Registry;
  /** Default 15 s. The lag-in-seconds resolution is about one interval. */
  pollIntervalMs?: number;
  /** Latest-offset samples kept per partition (the interpolation window). Default 240 (1 h at 15 s). */
  maxSamples?: number;
  now?: () => number;
  logger?: Pick<Logger, 'warn'>;
}

type PollStage = 'list_groups' | 'committed_offsets' | 'latest_offsets';

/**
 * Samples consumer group lag and publishes it under kafka-lag-exporter's metric names. One collector per
 * deployment is enough (it reads cluster-wide state); run it in one app, not in every replica, or
 * aggregate with `max by (group, topic, partition)` in queries.
 */
export class ConsumerLagCollector {
  private readonly estimator: LagEstimator;
  private readonly metrics: ConsumerLagMetrics;
  private readonly now: () => number;
  private readonly pollIntervalMs: number;
  /** Last known commits per group, reused when a group's fetch fails so the group does not vanish for a poll. */
  private readonly lastCommitted = new Map<string, CommittedOffset[]>();
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private stopped = true;

  constructor(private readonly options: ConsumerLagCollectorOptions) {
    this.estimator = new LagEstimator({ maxSamples: options.maxSamples });
    this.metrics = createConsumerLagMetrics(options.registry ?? defaultRegistry);
    this.now = options.now ?? Date.now;
    this.pollIntervalMs = options.pollIntervalMs ?? 15_000;
  }

  /** Polls now and then every interval, never two polls at once. The timer does not keep the process alive. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const loop = async () => {
      await this.poll();
      if (!this.stopped) this.timer = setTimeout(() => void loop(), this.pollIntervalMs).unref();
    };
    void loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.inFlight;
  }

  /** One poll. Failures are counted and logged, never thrown: the previous values stay exported. */
  poll(): Promise<void> {
    this.inFlight ??= this.pollOnce().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async pollOnce(): Promise<void> {
    const { source } = this.options;
    const groups = await this.attempt('list_groups', () => source.listGroups());
    if (!groups) return;

    const committed = new Map<string, CommittedOffset[]>();
    await Promise.all(
      groups.map(async (group) => {
        const offsets = await this.attempt('committed_offsets', () => source.fetchCommittedOffsets(group));
        const known = offsets ?? this.lastCommitted.get(group);
        if (known) committed.set(group, known);
      }),
    );

    const topics = [...new Set([...committed.values()].flat().map((c) => c.topic))].sort();
    const latest = topics.length
      ? await this.attempt('latest_offsets', () => source.fetchLatestOffsets(topics))
      : [];
    if (!latest) return;

    const sampledAt = this.now();
    for (const p of latest) this.estimator.observeLatestOffset(p.topic, p.partition, p.offset, sampledAt);
    this.estimator.retainOnly(latest);
    this.lastCommitted.clear();
    for (const [group, offsets] of committed) this.lastCommitted.set(group, offsets);

    this.publish(committed, latest, sampledAt);
  }

  // Everything is set synchronously after a reset, so a scrape sees either the previous poll or this one,
  // and series of deleted groups or partitions disappear.
  private publish(committed: Map<string, CommittedOffset[]>, latest: PartitionOffset[], nowMs: number): void {
    const m = this.metrics;
    for (const gauge of [
      m.groupOffset,
      m.groupLag,
      m.groupLagSeconds,
      m.groupMaxLag,
      m.groupMaxLagSeconds,
      m.groupSumLag,
      m.partitionLatestOffset,
    ]) {
      gauge.reset();
    }

    for (const p of latest) {
      m.partitionLatestOffset.set({ topic: p.topic, partition: String(p.partition) }, p.offset);
    }

    for (const [group, offsets] of committed) {
      const lags: number[] = [];
      const lagSeconds: number[] = [];
      for (const c of offsets) {
        const offset = c.offset === null || c.offset < 0 ? null : c.offset;
        const estimate = this.estimator.estimate(c.topic, c.partition, offset, nowMs);
        const labels = { group, topic: c.topic, partition: String(c.partition) };
        m.groupOffset.set(labels, offset ?? NaN);
        m.groupLag.set(labels, estimate.lag);
        m.groupLagSeconds.set(labels, estimate.lagSeconds);
        lags.push(estimate.lag);
        lagSeconds.push(estimate.lagSeconds);
      }
      m.groupMaxLag.set({ group }, maxIgnoringNaN(lags));
      m.groupMaxLagSeconds.set({ group }, maxIgnoringNaN(lagSeconds));
      m.groupSumLag.set({ group }, sumIgnoringNaN(lags));
    }
    m.lastPoll.set(nowMs / 1000);
  }

  private async attempt<T>(stage: PollStage, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (err) {
      this.metrics.pollErrors.inc({ stage });
      this.options.logger?.warn({ err, stage }, 'consumer lag poll failed');
      return undefined;
    }
  }
}

// Group aggregates are NaN only when every partition is (nothing committed anywhere), like the
// per-partition series; one uncommitted partition must not hide the lag of the others.
function maxIgnoringNaN(values: number[]): number {
  const known = values.filter((v) => !Number.isNaN(v));
  return known.length ? Math.max(...known) : NaN;
}

function sumIgnoringNaN(values: number[]): number {
  const known = values.filter((v) => !Number.isNaN(v));
  return known.length ? known.reduce((a, b) => a + b, 0) : NaN;
}
