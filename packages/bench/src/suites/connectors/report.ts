import { goalLine } from '../../goals.js';
import type { Goal } from '../../goals.js';
import { formatMs, formatPercent, formatRate, formatRatio, ratio, renderTable } from '../../stats.js';
import type { PhaseFigures, SimFigures } from './figures.js';
import { exactlyOnceGoal, throttleGoal } from './figures.js';
import { detectionThroughput, detectionThroughputGoal, samplingCostGoal } from './shape-figures.js';
import type { DetectionRound, SamplingCost } from './shape-figures.js';

export type Outcome<T> = { readonly value: T } | { readonly error: string };

/** What the connector's provider client did about the 429s in a phase. */
export interface ClientPacing {
  /** tributary_provider_pacing_rate at the end of the phase; Infinity when it was not pacing. */
  readonly rateAtEnd: number;
  /** Calls that waited for a slot at the lowered rate during the phase (throttled_total{reason="pacing"}). */
  readonly heldCalls: number;
}

export interface ConnectorsResults {
  readonly run: string;
  readonly latencyMs: number;
  /** Client-side limit the connector was started with (its env override). */
  readonly clientLimit: string;
  /** Other test runs seen on the machine while measuring. */
  readonly busy: readonly string[];
  /** CONSUMER_KEY_CONCURRENCY of the partition-bound burst, and of every later phase. */
  readonly keyConcurrency: { readonly before: number; readonly after: number };
  /** The burst with one event at a time per partition: the before. */
  readonly partitionBound: Outcome<{ phase: PhaseFigures; sim: SimFigures }>;
  /** The burst with events of different keys side by side: the after. */
  readonly burst: Outcome<{ phase: PhaseFigures; sim: SimFigures }>;
  readonly paced: Outcome<{ phase: PhaseFigures; sim: SimFigures; ratePerSecond: number }>;
  /** No latency, no throttle: what the connector reaches at all, the yardstick for every N. */
  readonly unthrottled: Outcome<{ phase: PhaseFigures; sim: SimFigures }>;
  readonly throttled: readonly {
    limit: number;
    outcome: Outcome<{ phase: PhaseFigures; sim: SimFigures }>;
    /** The connector's adaptive pacing, from its /metrics: absent when it could not be read. */
    pacing?: ClientPacing;
  }[];
  /** Provider-shape detection: its cost per answer in this process, and the connector's throughput on and off. */
  readonly shapeDetection: {
    readonly cost: Outcome<SamplingCost>;
    /** Warm-up events each round's freshly started connector handled before its measured burst. */
    readonly warmupEvents: number;
    readonly rounds: readonly DetectionRound[];
  };
  readonly cleanupProblems: readonly string[];
}

const dash = '—';

function row(name: string, outcome: Outcome<{ phase: PhaseFigures; sim: SimFigures }>): string[] {
  if ('error' in outcome)
    return [name, `not measured: ${outcome.error}`, dash, dash, dash, dash, dash, dash, dash];
  const { phase, sim } = outcome.value;
  return [
    name,
    `${phase.committed}/${phase.events}`,
    formatRate(phase.perSecond),
    formatRate(phase.steadyPerSecond),
    formatMs(phase.committedLatency.p50),
    formatMs(phase.committedLatency.p99),
    formatMs(phase.outcomeLatency.p99),
    String(sim.throttled),
    `${sim.effects}${sim.doubleEffects > 0 ? ` (${sim.doubleEffects} DOUBLE)` : ''}`,
  ];
}

/** The connectors suite's report: pure, so its layout is unit-tested. */
export function renderConnectorsReport(results: ConnectorsResults): string {
  const header = [
    'phase',
    'committed',
    'events/s',
    'steady/s',
    'p50 ms',
    'p99 ms',
    'outcome p99',
    '429s',
    'effects',
  ];
  const { before, after } = results.keyConcurrency;
  const rows = [
    row(`(a) burst, sim ${results.latencyMs} ms, key concurrency ${before}`, results.partitionBound),
    row(`(a) burst, sim ${results.latencyMs} ms, key concurrency ${after}`, results.burst),
    row(
      'error' in results.paced
        ? `(a') paced, sim ${results.latencyMs} ms`
        : `(a') paced ${results.paced.value.ratePerSecond}/s, sim ${results.latencyMs} ms`,
      results.paced,
    ),
    row('(b) no latency, no throttle', results.unthrottled),
    ...results.throttled.map(({ limit, outcome }) => row(`(b) sim throttled to ${limit}/s`, outcome)),
    ...results.shapeDetection.rounds.map(({ detection, outcome }, index) =>
      row(`(c) round ${index + 1}, PROVIDER_SHAPES=${detection}`, outcome),
    ),
  ];
  const lines = [
    `connectors — connector-payments (built) against provider-sim, run ${results.run}`,
    `connector client limit: ${results.clientLimit}`,
    '',
    renderTable(header, rows),
    '',
    `Key concurrency (a): CONSUMER_KEY_CONCURRENCY=${before} handles one event at a time per partition; =${after}`,
    `handles up to ${after} events of different keys at once per partition (one key's in order). Every phase after`,
    `the first runs with ${after}: ${formatRatio(keyConcurrencyGain(results))} the events/s of the partition-bound burst.`,
    '',
    'Throttle (b): achieved effects/s against the simulator limit N',
  ];
  for (const { limit, outcome, pacing } of results.throttled) {
    if ('error' in outcome) {
      lines.push(`  N=${limit}: not measured`);
      continue;
    }
    const { phase, sim } = outcome.value;
    const refused = ratio(sim.throttled, sim.requests);
    lines.push(
      `  N=${limit}: steady ${formatRate(phase.steadyPerSecond)}/s = ${formatRatio(ratio(phase.steadyPerSecond, limit))} N` +
        ` (overall ${formatRatio(ratio(phase.perSecond, limit))}), ${sim.throttled} × 429 of ${sim.requests} requests (${formatPercent(refused)})`,
    );
    if (phase.steadyWindow) {
      const { from, to, fromRefusal } = phase.steadyWindow;
      lines.push(
        `    steady window ${from.toFixed(1)}–${to.toFixed(1)} s after the first publish (from ${fromRefusal ? 'the first 429' : 'p10'} to p90)`,
      );
    }
    if (pacing) {
      lines.push(
        Number.isFinite(pacing.rateAtEnd)
          ? `    client pacing: ${formatRate(pacing.rateAtEnd)}/s at the end (${formatRatio(ratio(pacing.rateAtEnd, limit))} N), ${pacing.heldCalls} calls waited for a slot`
          : `    client pacing: not pacing at the end, ${pacing.heldCalls} calls waited for a slot`,
      );
    }
    const capacity =
      'error' in results.unthrottled ? Number.NaN : results.unthrottled.value.phase.steadyPerSecond;
    if (sim.throttled === 0 || capacity < limit) {
      lines.push(
        `    the limit did not bind: unthrottled the connector reaches ${formatRate(capacity)}/s here` +
          `${sim.throttled === 0 ? ' and the simulator refused nothing' : ''}, so this row measures the connector, not N`,
      );
    }
  }
  lines.push('', ...shapeDetectionLines(results.shapeDetection));
  lines.push(
    '',
    'events/s: committed ÷ (last commit − first publish); steady/s: between the 10th (or the first 429, if later)',
    'and the 90th percentile of commits.',
    'p50/p99: publish of payments.payment.requested → the connector’s commit (inbox + outbox row, one transaction);',
    'outcome p99: → the outcome on Kafka (outbox published_at). In a burst these include queueing; (a’) is paced.',
  );
  lines.push(
    results.busy.length === 0
      ? 'machine: no other test run seen while measuring.'
      : `machine: BUSY while measuring (other test runs: ${results.busy.join('; ')}), figures are lower than on a quiet machine.`,
  );
  if (results.cleanupProblems.length > 0)
    lines.push(`cleanup problems: ${results.cleanupProblems.join('; ')}`);
  lines.push('', ...connectorsGoals(results).map(goalLine));
  return lines.join('\n');
}

/** Section (c): what sampling an answer costs, and what it costs the connector end to end. */
function shapeDetectionLines(shapes: ConnectorsResults['shapeDetection']): string[] {
  const lines = [
    `Shape detection (c): the load of (b) unthrottled, on a connector started afresh each round with`,
    `PROVIDER_SHAPES=on (the default) or =off, in the order ${shapes.rounds.map((r) => r.detection).join(', ')}, after ${shapes.warmupEvents} warm-up events.`,
  ];
  const { on, off, ratio: share } = detectionThroughput(shapes.rounds);
  lines.push(
    `  events/s: on ${formatRate(on)}/s, off ${formatRate(off)}/s (mean of each side's rounds): on ÷ off ${formatRatio(share)}`,
  );
  if ('error' in shapes.cost) {
    lines.push(`  cost per answer: not measured: ${shapes.cost.error}`);
    return lines;
  }
  const cost = shapes.cost.value;
  lines.push(
    `  cost per answer, in this process (a ${cost.bodyBytes}-byte PaymentIntent answer, the real ShapeObserver with a no-op send, median of ${cost.rounds} rounds):`,
    `    JSON.parse ${formatMs(cost.parseMicros)} µs; observe(), known shape ${formatMs(cost.cachedMicros)} µs (${formatRatio(ratio(cost.cachedMicros, cost.parseMicros))} JSON.parse);` +
      ` observe(), new shape ${formatMs(cost.newShapeMicros)} µs (walk, canonical form, hash, redacted example; once per shape and process)`,
  );
  return lines;
}

/** The events/s a key-concurrent connector reaches with a 20 ms provider (issue: today 154–175). */
export const KEY_CONCURRENT_TARGET = 1_000;

const perSecondOf = (outcome: Outcome<{ phase: PhaseFigures }>) =>
  'error' in outcome ? Number.NaN : outcome.value.phase.perSecond;

/** Key-concurrent over partition-bound burst events/s, in the same run. */
export function keyConcurrencyGain(results: ConnectorsResults): number {
  return ratio(perSecondOf(results.burst), perSecondOf(results.partitionBound));
}

/**
 * The suite's goals: events/s of the key-concurrent burst with a 20 ms provider; the limit N reached within
 * THROTTLE_GOAL_SHARE, each N; exactly one effect per key; what shape detection costs the connector's
 * throughput and each answer.
 */
export function connectorsGoals(results: ConnectorsResults): Goal[] {
  type Measured = Outcome<{ phase: PhaseFigures; sim: SimFigures }>;
  const sim = (outcome: Measured) => ('error' in outcome ? undefined : outcome.value.sim);
  const keyed = perSecondOf(results.burst);
  return [
    {
      what: `events/s end to end, ${results.latencyMs} ms provider, key concurrency ${results.keyConcurrency.after}`,
      figure: Number.isFinite(keyed)
        ? `${formatRate(keyed)}/s (${formatRatio(keyConcurrencyGain(results))} the partition-bound ${formatRate(perSecondOf(results.partitionBound))}/s)`
        : 'n/a',
      target: `≥ ${formatRate(KEY_CONCURRENT_TARGET)}/s`,
      met: Number.isFinite(keyed) ? keyed >= KEY_CONCURRENT_TARGET : undefined,
    },
    ...results.throttled.map(({ limit, outcome }) =>
      throttleGoal(limit, 'error' in outcome ? Number.NaN : outcome.value.phase.steadyPerSecond),
    ),
    exactlyOnceGoal([
      sim(results.partitionBound),
      sim(results.burst),
      sim(results.paced),
      sim(results.unthrottled),
      ...results.throttled.map(({ outcome }) => sim(outcome)),
      ...results.shapeDetection.rounds.map(({ outcome }) => sim(outcome)),
    ]),
    detectionThroughputGoal(results.shapeDetection.rounds),
    samplingCostGoal('error' in results.shapeDetection.cost ? undefined : results.shapeDetection.cost.value),
  ];
}
