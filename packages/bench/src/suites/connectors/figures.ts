import type { Goal } from '../../goals.js';
import { percentile, ratePerSecond, ratio, summarize } from '../../stats.js';
import type { LatencySummary } from '../../stats.js';

/** One event of a phase: when the bench published it and when the connector committed its outcome. */
export interface EventTiming {
  readonly publishedAt: number;
  /** The inbox row's processed_at: the transaction that also wrote the outcome to the outbox. */
  readonly committedAt: number;
  /** When the relay put the outcome on Kafka (outbox published_at); NaN if not yet. */
  readonly outcomePublishedAt: number;
}

export interface PhaseFigures {
  readonly events: number;
  /** Events that were committed before the deadline. */
  readonly committed: number;
  /** committed ÷ (last commit − first publish). */
  readonly perSecond: number;
  /**
   * Rate between the 10th (or, if later, the provider's first 429) and the 90th percentile of commits: what
   * the connector sustains once the provider's first full bucket and the tail are left out.
   */
  readonly steadyPerSecond: number;
  /** The steady window, in seconds after the first publish; `fromRefusal` when it starts at the first 429. */
  readonly steadyWindow?: { readonly from: number; readonly to: number; readonly fromRefusal: boolean };
  /** Publish → commit, per event. */
  readonly committedLatency: LatencySummary;
  /** Publish → outcome on Kafka, per event. */
  readonly outcomeLatency: LatencySummary;
}

/** What the simulator counted for a phase (differences of its ledger around the phase). */
export interface SimFigures {
  readonly requests: number;
  readonly throttled: number;
  /** Effects applied for the phase's idempotency keys. */
  readonly effects: number;
  /** Keys with more than one effect: must be 0 (exactly once). */
  readonly doubleEffects: number;
}

/**
 * `steadyFrom`: when the provider first refused a call in the phase (its bucket was empty). The 10th
 * percentile leaves a first full bucket out only when the connector spends it at once; one that starts the
 * phase paced (it learnt a lower limit in the phase before) spends it later, and that burst would count as
 * sustained throughput. So the steady window starts at whichever comes later (unless the first 429 comes
 * after half the commits: too short a window, p10 then).
 */
export function phaseFigures(
  events: number,
  timings: readonly EventTiming[],
  options: { steadyFrom?: number | undefined } = {},
): PhaseFigures {
  const commits = timings.map((t) => t.committedAt).sort((a, b) => a - b);
  const firstPublish = Math.min(...timings.map((t) => t.publishedAt));
  const last = commits[commits.length - 1] ?? Number.NaN;
  let steady = Number.NaN;
  let steadyWindow: PhaseFigures['steadyWindow'];
  if (commits.length >= 10) {
    const p10 = percentile(commits, 10);
    const p90 = percentile(commits, 90);
    // A first 429 after half the commits leaves too short a window to say anything steady: p10 then.
    const refusal = options.steadyFrom;
    const from = refusal !== undefined && refusal > p10 && refusal <= percentile(commits, 50) ? refusal : p10;
    const between = commits.filter((at) => at >= from && at <= p90).length;
    steady = ratePerSecond(between - 1, p90 - from);
    steadyWindow = {
      from: (from - firstPublish) / 1000,
      to: (p90 - firstPublish) / 1000,
      fromRefusal: from !== p10,
    };
  }
  return {
    events,
    committed: timings.length,
    perSecond: ratePerSecond(timings.length, last - firstPublish),
    steadyPerSecond: steady,
    ...(steadyWindow ? { steadyWindow } : {}),
    committedLatency: summarize(timings.map((t) => t.committedAt - t.publishedAt)),
    outcomeLatency: summarize(
      timings
        .filter((t) => Number.isFinite(t.outcomePublishedAt))
        .map((t) => t.outcomePublishedAt - t.publishedAt),
    ),
  };
}

/** The throttle goal: the connector achieves the provider's limit within 5 %. */
export const THROTTLE_GOAL_SHARE = 0.05;

export function throttleGoalMet(steadyPerSecond: number, limit: number): boolean | undefined {
  const share = ratio(steadyPerSecond, limit);
  return Number.isFinite(share) ? Math.abs(1 - share) <= THROTTLE_GOAL_SHARE : undefined;
}

/** One goal line per throttle limit N: the steady rate against N; `steadyPerSecond` NaN when not measured. */
export function throttleGoal(limit: number, steadyPerSecond: number): Goal {
  const share = ratio(steadyPerSecond, limit);
  return {
    what: `steady effects/s at simulator limit N=${limit}`,
    figure: Number.isFinite(share) ? `${steadyPerSecond.toFixed(1)}/s = ${share.toFixed(2)} N` : 'n/a',
    target: `within ${THROTTLE_GOAL_SHARE * 100} % of N`,
    met: throttleGoalMet(steadyPerSecond, limit),
  };
}

/**
 * Exactly once: no idempotency key with more than one effect at the simulator, over every phase. `phases`
 * holds each phase's simulator figures, undefined for a phase not measured: it was not checked, so the goal
 * is not met (and not measured at all when no phase was).
 */
export function exactlyOnceGoal(phases: readonly (SimFigures | undefined)[]): Goal {
  const measured = phases.filter((sim): sim is SimFigures => sim !== undefined);
  const what = 'keys with more than one effect, every phase';
  if (measured.length === 0) return { what, figure: 'n/a', target: '0', met: undefined };
  const doubles = measured.reduce((sum, sim) => sum + sim.doubleEffects, 0);
  const of =
    measured.length === phases.length ? '' : ` (${measured.length} of ${phases.length} phases measured)`;
  return {
    what,
    figure: `${doubles}${of}`,
    target: '0',
    met: doubles === 0 && measured.length === phases.length,
  };
}
