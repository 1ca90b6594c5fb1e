import { LagEstimator, exposeZeros } from '@tributary/observability';
import type { ConsumerLagMetrics, Logger } from '@tributary/observability';
import { sunsetSeconds } from './deprecated-readers.js';
import type { DeprecatedReaderMetrics, DeprecatedTopic } from './deprecated-readers.js';
import type { Leadership } from './exporter-lock.js';
import type { CommittedOffset, ConsumerLagSource, GroupDescription, PartitionOffsets } from './lag-source.js';
import { restoreHistory } from './offset-history.js';
import type { OffsetHistory } from './offset-history.js';
import { stateSeries } from './group-state.js';

export interface ConsumerLagCollectorOptions {
  readonly source: ConsumerLagSource;
  /** createConsumerLagMetrics(registry): the registry /metrics serves, or a test's own. */
  readonly metrics: ConsumerLagMetrics;
  /** Latest-offset samples kept beyond this process (Postgres); without it, history starts empty. */
  readonly history?: OffsetHistory;
  /** Without it this collector always exports (one replica, or a test). */
  readonly leadership?: Leadership;
  /** Default 5 s. The resolution of the lag in seconds is about one interval. */
  readonly pollIntervalMs?: number;
  /** How far back latest-offset samples are kept (memory and the history table). Default 1 h. */
  readonly historyWindowMs?: number;
  /** Groups reported (whole name); default every group. */
  readonly groups?: RegExp;
  readonly now?: () => number;
  readonly logger?: Pick<Logger, 'info' | 'warn'>;
  /** Topics in a deprecation window, whose readers are reported (`deprecatedReaders`). */
  readonly deprecatedTopics?: readonly DeprecatedTopic[];
  readonly deprecatedReaders?: DeprecatedReaderMetrics;
}

const POLL_STAGES = [
  'list_groups',
  'describe_groups',
  'committed_offsets',
  'latest_offsets',
  'history',
] as const;
type PollStage = (typeof POLL_STAGES)[number];

/**
 * Samples consumer group lag and publishes it under kafka-lag-exporter's names (docs/architecture.md#observability),
 * with each group's member count and state. Only the replica holding the leadership exports: a standby
 * publishes no lag series at all, so Prometheus never sees a series twice. On taking over, a replica loads
 * the sample history the previous holder kept in Postgres, so the lag in seconds of a stopped group goes on
 * growing from where it was instead of starting again at zero.
 */
export class ConsumerLagCollector {
  private readonly metrics: ConsumerLagMetrics;
  private readonly now: () => number;
  private readonly pollIntervalMs: number;
  private readonly historyWindowMs: number;
  /** Present while this replica exports; a fresh one, loaded from the history, on every takeover. */
  private estimator: LagEstimator | undefined;
  /** Last known commits and descriptions per group, reused when a group's fetch fails so it does not vanish for a poll. */
  private lastCommitted = new Map<string, CommittedOffset[]>();
  private lastDescribed = new Map<string, GroupDescription>();
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private stopped = true;

  constructor(private readonly options: ConsumerLagCollectorOptions) {
    this.metrics = options.metrics;
    this.now = options.now ?? Date.now;
    this.pollIntervalMs = options.pollIntervalMs ?? 5_000;
    this.historyWindowMs = options.historyWindowMs ?? 3_600_000;
    this.metrics.active.set(0);
    // Every stage's error count exists from boot, at 0, so rates and panels over it answer before a failure.
    exposeZeros(
      this.metrics.pollErrors,
      POLL_STAGES.map((stage) => ({ stage })),
    );
  }

  /** True while this replica exports. */
  get active(): boolean {
    return this.estimator !== undefined;
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

  /** Stops polling and gives up the leadership, so a standby takes over at its next poll. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.inFlight;
    await this.options.leadership?.release();
  }

  /** One poll. Failures are counted and logged, never thrown: the previous values stay exported. */
  poll(): Promise<void> {
    this.inFlight ??= this.pollOnce().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async pollOnce(): Promise<void> {
    const leader = this.options.leadership ? await this.options.leadership.holds() : true;
    if (!leader) {
      if (this.estimator) this.standDown();
      return;
    }
    if (!this.estimator) await this.takeOver();
    await this.collect(this.estimator!);
  }

  private async takeOver(): Promise<void> {
    // Enough rows for one distinct log end per poll over the window; runs of equal ones take two.
    const estimator = new LagEstimator({
      maxSamples: Math.ceil(this.historyWindowMs / this.pollIntervalMs) + 2,
    });
    const { history } = this.options;
    const runs = history ? await this.attempt('history', () => history.load()) : [];
    const partitions = restoreHistory(estimator, runs ?? []);
    this.estimator = estimator;
    this.metrics.active.set(1);
    this.options.logger?.info({ partitions }, 'lag exporter active: exporting consumer lag');
  }

  // A standby exports no lag series: the replica that took over exports them, and Prometheus must not see
  // a stale copy of each beside it.
  private standDown(): void {
    this.estimator = undefined;
    this.lastCommitted = new Map();
    this.lastDescribed = new Map();
    this.resetSeries();
    this.metrics.active.set(0);
    this.options.logger?.warn({}, 'lag exporter standby: another replica holds the exporter lock');
  }

  private async collect(estimator: LagEstimator): Promise<void> {
    const { source } = this.options;
    const startedAt = this.now();
    const listed = await this.attempt('list_groups', () => source.listGroups());
    if (!listed) return;
    const pattern = this.options.groups;
    const groups = pattern ? listed.filter((g) => pattern.test(g)) : listed;

    const committed = new Map<string, CommittedOffset[]>();
    const [described] = await Promise.all([
      this.attempt('describe_groups', () => source.describeGroups(groups)),
      ...groups.map(async (group) => {
        const offsets = await this.attempt('committed_offsets', () => source.fetchCommittedOffsets(group));
        const known = offsets ?? this.lastCommitted.get(group);
        if (known) committed.set(group, known);
      }),
    ]);
    const descriptions = new Map<string, GroupDescription>();
    for (const group of groups) {
      const description = described
        ? described.find((d) => d.group === group)
        : this.lastDescribed.get(group);
      if (description) descriptions.set(group, description);
    }

    const topics = [...new Set([...committed.values()].flat().map((c) => c.topic))].sort();
    const partitions = topics.length
      ? await this.attempt('latest_offsets', () => source.fetchPartitionOffsets(topics))
      : [];
    if (!partitions) return;

    const sampledAt = this.now();
    const latest = partitions.map((p) => ({ topic: p.topic, partition: p.partition, offset: p.latest }));
    for (const p of latest) estimator.observeLatestOffset(p.topic, p.partition, p.offset, sampledAt);
    estimator.retainOnly(latest);
    this.lastCommitted = committed;
    this.lastDescribed = descriptions;

    // After the estimator: a history that cannot be written costs the next takeover its table, not this
    // poll its figures.
    const { history } = this.options;
    if (history) {
      await this.attempt('history', async () => {
        await history.record(latest, sampledAt);
        await history.prune(sampledAt - this.historyWindowMs);
      });
    }

    this.publish(estimator, committed, descriptions, partitions, sampledAt);
    this.metrics.pollDuration.set((this.now() - startedAt) / 1000);
  }

  private resetSeries(): void {
    const m = this.metrics;
    for (const gauge of [
      m.groupOffset,
      m.groupLag,
      m.groupLagSeconds,
      m.groupMaxLag,
      m.groupMaxLagSeconds,
      m.groupSumLag,
      m.groupMembers,
      m.groupState,
      m.partitionLatestOffset,
      m.partitionEarliestOffset,
    ]) {
      gauge.reset();
    }
    this.options.deprecatedReaders?.readers.reset();
    this.options.deprecatedReaders?.readerLag.reset();
    this.options.deprecatedReaders?.sunset.reset();
  }

  // Everything is set synchronously after a reset, so a scrape sees either the previous poll or this one,
  // and series of deleted groups or partitions disappear.
  private publish(
    estimator: LagEstimator,
    committed: Map<string, CommittedOffset[]>,
    descriptions: Map<string, GroupDescription>,
    partitions: PartitionOffsets[],
    nowMs: number,
  ): void {
    const m = this.metrics;
    this.resetSeries();

    for (const p of partitions) {
      const labels = { topic: p.topic, partition: String(p.partition) };
      m.partitionLatestOffset.set(labels, p.latest);
      m.partitionEarliestOffset.set(labels, p.earliest);
    }

    for (const [group, { members, state }] of descriptions) {
      m.groupMembers.set({ group }, members);
      for (const [name, value] of stateSeries(state)) m.groupState.set({ group, state: name }, value);
    }

    for (const [group, offsets] of committed) {
      const lags: number[] = [];
      const lagSeconds: number[] = [];
      for (const c of offsets) {
        const offset = c.offset === null || c.offset < 0 ? null : c.offset;
        const estimate = estimator.estimate(c.topic, c.partition, offset, nowMs);
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
    this.publishDeprecatedReaders(estimator, committed, nowMs);
    m.lastPoll.set(nowMs / 1000);
  }

  // A group reads a deprecated topic while it has a committed offset there; one that moved to the new major
  // keeps showing, its lag growing, until Kafka expires those offsets or an operator deletes them (runbook).
  private publishDeprecatedReaders(
    estimator: LagEstimator,
    committed: Map<string, CommittedOffset[]>,
    nowMs: number,
  ): void {
    const metrics = this.options.deprecatedReaders;
    if (!metrics) return;
    for (const { topic, sunset } of this.options.deprecatedTopics ?? []) {
      metrics.sunset.set({ topic }, sunsetSeconds(sunset));
      for (const [group, offsets] of committed) {
        const on = offsets.filter((c) => c.topic === topic && c.offset !== null && c.offset >= 0);
        if (on.length === 0) continue;
        metrics.readers.set({ topic, group, sunset }, 1);
        const lags = on.map((c) => estimator.estimate(c.topic, c.partition, c.offset, nowMs).lag);
        metrics.readerLag.set({ topic, group }, sumIgnoringNaN(lags));
      }
    }
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
