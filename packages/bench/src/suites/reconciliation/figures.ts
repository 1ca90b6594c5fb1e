import type { Goal } from '../../goals.js';
import { ratePerSecond, ratio } from '../../stats.js';
import type { BenchEntityName, DocumentedLimit } from './entities.js';

export type Outcome<T> = { readonly value: T } | { readonly error: string };

/** A run as `GET /v1/runs/{id}` shows it (the fields the bench reads). */
export interface RunView {
  readonly id: string;
  readonly status: string;
  readonly pages: number;
  readonly compared: number;
  readonly mismatches: number;
  readonly deferred: number;
  readonly unverifiable: number;
  readonly error: string | null;
  readonly startedAt: string;
  readonly finishedAt: string | null;
}

/** RSS of a process while the run went on, sampled from /proc; bytes. */
export interface MemoryFigures {
  readonly atStart: number;
  readonly peak: number;
}

/** Listing every object with plain fetch, page by page: the read alone. */
export interface ReadCeiling {
  readonly requests: number;
  readonly records: number;
  readonly ms: number;
}

/** One SQL statement comparing the owner's copies (from the raw read) with the projection. */
export interface SqlCeiling {
  readonly rows: number;
  readonly mismatches: number;
  readonly ms: number;
}

/** Medians over a run's pages of where a page's time went (ms), from the outbox and inbox rows. */
export interface PageBreakdown {
  readonly pages: number;
  /** Reconciler: its page transaction (comparison, checkpoint, the next request) + its relay to Kafka. */
  readonly reconcilerPageAndRelay: number;
  /** Connector: the request off Kafka + the provider read. */
  readonly connectorConsumeAndRead: number;
  /** Connector: its transaction (inbox, answer) + its relay to Kafka. */
  readonly connectorCommitAndRelay: number;
  /** Reconciler: the answer off Kafka. */
  readonly reconcilerConsume: number;
}

/** Everything measured for one entity. */
export interface EntityMeasurement {
  readonly entity: BenchEntityName;
  /** Objects seeded at the owner, and how many of them the seed drifted. */
  readonly records: number;
  readonly drifted: number;
  /** Objects the owner held when the run started (`GET /__admin/objects`). */
  readonly ownerObjects: number;
  /** Setup, untimed for the figures: seeding the simulator and inserting the projection rows. */
  readonly seedMs: number;
  readonly localRowsMs: number;
  /** Rows of the connector's own state inserted too (its external_refs, where its reader reads them). */
  readonly connectorRows: number;
  readonly run: RunView;
  /** Requests the provider received during the run (`GET /__admin/rate`), and the most in any 1 s. */
  readonly requests: number;
  readonly peakRequestsPerSecond: number;
  /** The run's findings by class (from the reconciler's findings table). */
  readonly findings: Readonly<Record<string, number>>;
  /** Where a page's time went (medians), from the apps' outbox and inbox rows. */
  readonly breakdown: Outcome<PageBreakdown>;
  readonly reconciler: MemoryFigures;
  readonly connector: MemoryFigures;
  readonly readCeiling: Outcome<ReadCeiling>;
  readonly sqlCeiling: Outcome<SqlCeiling>;
}

/** The run's own clock: its start (the API's transaction) to its end (the last page's). NaN while running. */
export function runMs(run: Pick<RunView, 'startedAt' | 'finishedAt'>): number {
  if (!run.finishedAt) return Number.NaN;
  return Date.parse(run.finishedAt) - Date.parse(run.startedAt);
}

/** Records compared per second, end to end. */
export function comparedPerSecond(run: RunView): number {
  return ratePerSecond(run.compared, runMs(run));
}

/** Provider requests per record the walk returned (compared or deferred). */
export function requestsPerRecord(m: Pick<EntityMeasurement, 'requests' | 'run'>): number {
  return ratio(m.requests, m.run.compared + m.run.deferred);
}

/** Seconds a walk of `requests` takes at `limit`, sustained (a burst allowance saves at most one window). */
export function sweepSeconds(
  requests: number,
  limit: Pick<DocumentedLimit, 'requests' | 'perSeconds'>,
): number {
  return Number.isFinite(requests) && limit.requests > 0
    ? (requests * limit.perSeconds) / limit.requests
    : Number.NaN;
}

/**
 * The fewest requests a FULL walk of `records` can make: one a page of the provider's largest page, plus the
 * walk's closing requests (HubSpot's recycling bin).
 */
export function floorRequests(records: number, largestPage: number, closingRequests: number): number {
  return Math.max(1, Math.ceil(records / largestPage)) + closingRequests;
}

/** Headroom over the floor the requests-per-record goal allows: a few pages read again, nothing per record. */
export const REQUESTS_HEADROOM = 1.1;

/** The full sweep at the documented limit may take at most this long (see the README for why). */
export const SWEEP_TARGET_SECONDS = 3_600;

/** Records compared per second at least this share of the raw read's records per second. */
export const THROUGHPUT_TARGET = 0.5;

/** 0.042 → "42 ms", 4.25 → "4.3 s", 40 → "40 s", 750 → "12.5 min", 3600 → "1 h", 9000 → "2.5 h". */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return 'n/a';
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 3_600) return `${(seconds / 60).toFixed(1)} min`;
  return `${Number((seconds / 3_600).toFixed(1))} h`;
}

export const formatCount = (n: number): string => (Number.isFinite(n) ? n.toLocaleString('en-US') : 'n/a');

/** Requests per record to four decimals: 0.01001 → "0.0100". */
export const formatPerRecord = (n: number): string => (Number.isFinite(n) ? n.toFixed(4) : 'n/a');

export interface GoalInputs {
  readonly entity: BenchEntityName;
  readonly plural: string;
  readonly records: number;
  readonly limit: DocumentedLimit;
  readonly largestPage: number;
  readonly closingRequests: number;
}

/** The read ceiling's records per second; NaN when it was not measured. */
export function readCeilingPerSecond(m: Pick<EntityMeasurement, 'readCeiling'>): number {
  return 'value' in m.readCeiling
    ? ratePerSecond(m.readCeiling.value.records, m.readCeiling.value.ms)
    : Number.NaN;
}

/**
 * The four goals of one entity; `m` undefined when the entity could not be measured at all. A run that did
 * not succeed walked only part of the owner: none of its goals is met.
 */
export function entityGoals(spec: GoalInputs, m: EntityMeasurement | undefined): Goal[] {
  const n = formatCount(spec.records);
  const complete = m?.run.status === 'succeeded';
  const target = floorRequests(spec.records, spec.largestPage, spec.closingRequests) / spec.records;
  const perRecord = m ? requestsPerRecord(m) : Number.NaN;
  const sweep = m ? sweepSeconds(m.requests, spec.limit) : Number.NaN;
  const share = m ? ratio(comparedPerSecond(m.run), readCeilingPerSecond(m)) : Number.NaN;
  const finite = (value: number, test: (v: number) => boolean) =>
    Number.isFinite(value) ? complete && test(value) : undefined;
  return [
    {
      what: `mismatches found equal the injected drift (${spec.entity})`,
      figure: m ? formatCount(m.run.mismatches) : 'n/a',
      target: m ? formatCount(m.drifted) : 'the drift',
      met: m ? complete && m.run.mismatches === m.drifted : undefined,
    },
    {
      what: `requests per record (${spec.entity})`,
      figure: formatPerRecord(perRecord),
      target: `≤ ${formatPerRecord(target * REQUESTS_HEADROOM)}`,
      met: finite(perRecord, (v) => v <= target * REQUESTS_HEADROOM),
    },
    {
      what: `full sweep of ${n} ${spec.plural} at ${spec.limit.name}`,
      figure: formatSeconds(sweep),
      target: `≤ ${formatSeconds(SWEEP_TARGET_SECONDS)}`,
      met: finite(sweep, (v) => v <= SWEEP_TARGET_SECONDS),
    },
    {
      what: `records compared per second ÷ the raw read's (${spec.entity})`,
      figure: Number.isFinite(share) ? `${share.toFixed(2)}×` : 'n/a',
      target: `≥ ${THROUGHPUT_TARGET.toFixed(2)}×`,
      met: finite(share, (v) => v >= THROUGHPUT_TARGET),
    },
  ];
}

/** The kB figures of /proc/<pid>/status as bytes: VmRSS (now) and VmHWM (the process's peak so far). */
export function parseProcStatus(status: string): { rss: number; hwm: number } {
  const kib = (name: string) => {
    const match = new RegExp(`^${name}:\\s+(\\d+)\\s+kB$`, 'm').exec(status);
    return match ? Number(match[1]) * 1024 : Number.NaN;
  };
  return { rss: kib('VmRSS'), hwm: kib('VmHWM') };
}
