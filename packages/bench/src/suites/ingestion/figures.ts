import type { Goal } from '../../goals.js';

/**
 * The line apps/ingestion/bench/ingestion.bench.ts prints on stdout when it is done: this prefix, then its
 * result as JSON. A package never imports an app, so the two sides share only this string.
 */
export const RESULT_PREFIX = 'BENCH_RESULT ';

/** The ingestion app must accept at least this share of what a bare node:http + pg server accepts. */
export const INGESTION_GOAL_RATIO = 0.6;

/** What the parent reads of the child's result (the rest of its figures are in the lines it printed). */
export interface IngestionFigures {
  /** Accepted per second closed loop, ingestion ÷ bare node+pg. */
  readonly ratio: number;
}

/** The result on a `BENCH_RESULT {...}` line; undefined for any other line or one that does not parse. */
export function parseResultLine(line: string): IngestionFigures | undefined {
  if (!line.startsWith(RESULT_PREFIX)) return undefined;
  try {
    const parsed: unknown = JSON.parse(line.slice(RESULT_PREFIX.length));
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const { ratio } = parsed as { ratio?: unknown };
    // JSON writes NaN as null: a run with nothing accepted by the bare server has no ratio.
    return { ratio: typeof ratio === 'number' ? ratio : Number.NaN };
  } catch {
    return undefined;
  }
}

/** The suite's goal; `figures` undefined when the child printed no result. */
export function ingestionGoals(figures: IngestionFigures | undefined): Goal[] {
  const ratio = figures?.ratio ?? Number.NaN;
  const measured = Number.isFinite(ratio);
  return [
    {
      what: 'ingestion accepted/s vs bare node+pg, closed loop',
      figure: measured ? `${ratio.toFixed(2)}×` : 'n/a',
      target: `≥ ${INGESTION_GOAL_RATIO}×`,
      met: measured ? ratio >= INGESTION_GOAL_RATIO : undefined,
    },
  ];
}
