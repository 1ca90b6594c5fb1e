import type { Goal } from '../../goals.js';
import { formatMs, formatRate, formatRatio, ratio } from '../../stats.js';
import type { PhaseFigures, SimFigures } from './figures.js';

/** PROVIDER_SHAPES of a connector round. */
export type Detection = 'on' | 'off';

/** One round of the same load on a connector started with detection on or off. */
export interface DetectionRound {
  readonly detection: Detection;
  readonly outcome: { readonly value: { phase: PhaseFigures; sim: SimFigures } } | { readonly error: string };
}

/** What sampling one provider answer costs in the bench process, in µs per call (medians over rounds). */
export interface SamplingCost {
  /** The answer's JSON, in bytes. */
  readonly bodyBytes: number;
  readonly rounds: number;
  /** `JSON.parse` of the answer: the cost every answer pays anyway, and the yardstick. */
  readonly parseMicros: number;
  /** `observe()` of the parsed answer whose shape the observer knows: the hot path. */
  readonly cachedMicros: number;
  /** `observe()` of an answer with a shape new to the process: walk, canonical form, hash, redacted example. */
  readonly newShapeMicros: number;
}

/** The overhead goal: a connector sampling every answer keeps at least this share of its throughput. */
export const DETECTION_THROUGHPUT_TARGET = 0.95;
/** The hot-path goal: sampling a known shape costs at most this share of parsing the same body. */
export const CACHED_SAMPLE_TARGET = 0.5;

const ON_OFF: readonly Detection[] = ['on', 'off'];
const OFF_ON: readonly Detection[] = ['off', 'on'];

/**
 * on, off, off, on, on, off…: each side gets the same mean position in the run, so a machine getting
 * steadily faster or slower (caches warming, tables growing) favours neither.
 */
export function detectionOrder(pairs: number): Detection[] {
  const order: Detection[] = [];
  for (let pair = 0; pair < pairs; pair++) order.push(...(pair % 2 === 0 ? ON_OFF : OFF_ON));
  return order;
}

/** The middle value (the mean of the two middle ones for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export interface DetectionThroughput {
  /** Mean events/s of the rounds with detection on; NaN when a round was not measured. */
  readonly on: number;
  readonly off: number;
  /** on ÷ off. */
  readonly ratio: number;
}

/**
 * Each side's mean events/s over its rounds. Only when every round was measured: with one missing, the
 * sides no longer share a mean position in the run and the ratio would carry the machine's drift.
 */
export function detectionThroughput(rounds: readonly DetectionRound[]): DetectionThroughput {
  const side = (detection: Detection) => {
    const mine = rounds.filter((round) => round.detection === detection);
    if (mine.length === 0) return Number.NaN;
    let sum = 0;
    for (const { outcome } of mine) {
      if ('error' in outcome) return Number.NaN;
      sum += outcome.value.phase.perSecond;
    }
    return sum / mine.length;
  };
  const on = side('on');
  const off = side('off');
  return { on, off, ratio: ratio(on, off) };
}

export function detectionThroughputGoal(rounds: readonly DetectionRound[]): Goal {
  const { on, off, ratio: share } = detectionThroughput(rounds);
  const measured = Number.isFinite(share);
  return {
    what: 'shape detection overhead on connector throughput, on ÷ off',
    figure: measured ? `${formatRatio(share)} (on ${formatRate(on)}/s, off ${formatRate(off)}/s)` : 'n/a',
    target: `≥ ${formatRatio(DETECTION_THROUGHPUT_TARGET)}`,
    met: measured ? share >= DETECTION_THROUGHPUT_TARGET : undefined,
  };
}

/** A known shape's `observe()` against `JSON.parse` of the same body (µs print with the ms precision). */
export function samplingCostGoal(cost: SamplingCost | undefined): Goal {
  const share = cost ? ratio(cost.cachedMicros, cost.parseMicros) : Number.NaN;
  const measured = cost !== undefined && Number.isFinite(share);
  return {
    what: 'shape sampling cost per cached answer',
    figure: measured
      ? `${formatMs(cost.cachedMicros)} µs = ${formatRatio(share)} JSON.parse of the same ${cost.bodyBytes}-byte body (${formatMs(cost.parseMicros)} µs)`
      : 'n/a',
    target: `≤ ${formatRatio(CACHED_SAMPLE_TARGET)} JSON.parse`,
    met: measured ? share <= CACHED_SAMPLE_TARGET : undefined,
  };
}
