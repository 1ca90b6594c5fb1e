/** The log-end offset of a partition as seen at one moment. */
export interface OffsetSample {
  readonly offset: number;
  readonly timeMs: number;
}

export interface LagEstimate {
  /** Records between the committed offset and the log end; NaN when nothing is committed. */
  readonly lag: number;
  /** Estimated age of the oldest unconsumed record, in seconds; NaN when nothing is committed or no log end is known. */
  readonly lagSeconds: number;
}

export interface LagEstimatorOptions {
  /** Samples kept per partition. With one sample per poll this is the look-back window. Default 240. */
  maxSamples?: number;
}

/**
 * The history of one partition's log end: (offset, time) samples, oldest first, offsets non-decreasing.
 * A run of samples with the same offset keeps only its first and last sample: together they say "nothing
 * was produced between these times", which is all interpolation needs, and an idle partition does not
 * push its history out of the table.
 */
export class OffsetTimeline {
  private samples: OffsetSample[] = [];

  constructor(private readonly maxSamples: number) {}

  get latest(): OffsetSample | undefined {
    return this.samples.at(-1);
  }

  get size(): number {
    return this.samples.length;
  }

  add(offset: number, timeMs: number): void {
    const last = this.samples.at(-1);
    if (last && timeMs <= last.timeMs) return;
    if (last && offset < last.offset) {
      // The log end went backwards: the topic was deleted and recreated. Old history describes another log.
      this.samples = [];
    }
    const beforeLast = this.samples.at(-2);
    if (last && beforeLast && last.offset === offset && beforeLast.offset === offset) {
      this.samples[this.samples.length - 1] = { offset, timeMs };
      return;
    }
    this.samples.push({ offset, timeMs });
    if (this.samples.length > this.maxSamples) this.samples.shift();
  }

  /**
   * When the log end reached `offset`, in ms. Interpolates linearly between the two samples around it;
   * below the oldest sample it extrapolates along the whole table's rate, and without a rate (one sample, or
   * nothing produced in the window) it answers the oldest sample's time, a lower bound on the age.
   * Undefined when the table is empty.
   */
  reachedAtMs(offset: number): number | undefined {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (!first || !last) return undefined;
    if (offset >= last.offset) return last.timeMs;

    if (offset < first.offset) {
      if (last.offset === first.offset) return first.timeMs;
      const msPerOffset = (last.timeMs - first.timeMs) / (last.offset - first.offset);
      return first.timeMs - (first.offset - offset) * msPerOffset;
    }

    // The last sample at or below `offset` and the first one above it; both exist because
    // first.offset <= offset < last.offset.
    let lower = 0;
    while (this.samples[lower + 1]!.offset <= offset) lower++;
    const a = this.samples[lower]!;
    const b = this.samples[lower + 1]!;
    return a.timeMs + ((offset - a.offset) * (b.timeMs - a.timeMs)) / (b.offset - a.offset);
  }
}

/**
 * Consumer lag in records and in seconds, the way kafka-lag-exporter estimates it: the log end of every
 * partition is sampled periodically into a table of (offset, time); the committed offset of a group is
 * looked up in that table to estimate when the log end was there, and the lag in seconds is the time
 * since. No record is read, so the estimate costs two metadata calls per poll whatever the throughput.
 *
 * Pure: the caller supplies the observations and the clock.
 */
export class LagEstimator {
  private readonly timelines = new Map<string, OffsetTimeline>();
  private readonly maxSamples: number;

  constructor(options: LagEstimatorOptions = {}) {
    this.maxSamples = Math.max(2, options.maxSamples ?? 240);
  }

  observeLatestOffset(topic: string, partition: number, offset: number, timeMs: number): void {
    const key = partitionKey(topic, partition);
    let timeline = this.timelines.get(key);
    if (!timeline) {
      timeline = new OffsetTimeline(this.maxSamples);
      this.timelines.set(key, timeline);
    }
    timeline.add(offset, timeMs);
  }

  latestOffset(topic: string, partition: number): number | undefined {
    return this.timelines.get(partitionKey(topic, partition))?.latest?.offset;
  }

  /** `committed` is the group's committed offset (the next record it will read), or null when it has none. */
  estimate(topic: string, partition: number, committed: number | null, nowMs: number): LagEstimate {
    const timeline = this.timelines.get(partitionKey(topic, partition));
    const latest = timeline?.latest;
    if (committed === null || committed < 0 || !timeline || !latest) return { lag: NaN, lagSeconds: NaN };
    if (committed >= latest.offset) return { lag: 0, lagSeconds: 0 };

    const reachedAt = timeline.reachedAtMs(committed)!;
    return { lag: latest.offset - committed, lagSeconds: Math.max(0, (nowMs - reachedAt) / 1000) };
  }

  /** Drops the history of partitions not in `keep` (deleted topics), so memory follows the live partitions. */
  retainOnly(keep: Iterable<{ topic: string; partition: number }>): void {
    const live = new Set([...keep].map(({ topic, partition }) => partitionKey(topic, partition)));
    for (const key of this.timelines.keys()) if (!live.has(key)) this.timelines.delete(key);
  }
}

function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}
