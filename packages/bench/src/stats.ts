/**
 * Figures and their printing. Pure functions: the suites measure, this module only summarises and lays out,
 * so the arithmetic is unit-tested without a stack.
 */

export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/**
 * The p-th percentile (0..100) of ascending `sorted` values by the nearest-rank method: always one of the
 * observed values, so a p99 over 100 samples is the 99th one, never an interpolation nobody measured.
 */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0..100, got ${p}`);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

/** Summarises latencies in milliseconds; the input is not modified. NaN figures when there are none. */
export function summarize(latenciesMs: ArrayLike<number>): LatencySummary {
  const sorted = Float64Array.from(latenciesMs).sort();
  let sum = 0;
  for (const value of sorted) sum += value;
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.length === 0 ? Number.NaN : sorted[sorted.length - 1]!,
    mean: sorted.length === 0 ? Number.NaN : sum / sorted.length,
  };
}

/** Events per second; NaN when nothing was timed. */
export function ratePerSecond(events: number, elapsedMs: number): number {
  return elapsedMs > 0 ? (events * 1000) / elapsedMs : Number.NaN;
}

/** `numerator / denominator`, NaN when either side is missing, so a skipped ceiling prints as n/a. */
export function ratio(numerator: number, denominator: number): number {
  return Number.isFinite(numerator) && Number.isFinite(denominator) && denominator > 0
    ? numerator / denominator
    : Number.NaN;
}

const NA = 'n/a';

/** 12345.6 → "12,346"; throughput is read in whole events. */
export function formatRate(perSecond: number): string {
  return Number.isFinite(perSecond) ? Math.round(perSecond).toLocaleString('en-US') : NA;
}

/** Milliseconds with precision where it matters: 0.42 → "0.42", 12.345 → "12.3", 1234.5 → "1,235". */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return NA;
  if (ms < 10) return ms.toFixed(2);
  if (ms < 100) return ms.toFixed(1);
  return Math.round(ms).toLocaleString('en-US');
}

export function formatRatio(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}×` : NA;
}

/** A share as a whole percentage: 0.614 → "61%". */
export function formatPercent(share: number): string {
  return Number.isFinite(share) ? `${Math.round(share * 100)}%` : NA;
}

/** Binary units, one decimal: 1536 → "1.5 KiB", 268435456 → "256.0 MiB". */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return NA;
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const sign = bytes < 0 ? '-' : '';
  return unit === 0 ? `${sign}${value} B` : `${sign}${value.toFixed(1)} ${units[unit]}`;
}

/** Signed difference, so memory growth stands out: "+12.0 MiB", "-3.0 MiB". */
export function formatBytesDelta(bytes: number): string {
  if (!Number.isFinite(bytes)) return NA;
  return bytes >= 0 ? `+${formatBytes(bytes)}` : formatBytes(bytes);
}

export type Align = 'left' | 'right';

/**
 * A plain-text table: the first column left-aligned, the others right-aligned (numbers), columns padded to
 * their widest cell and separated by two spaces, with a rule under the header. No trailing spaces.
 */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const columns = header.length;
  for (const row of rows) {
    if (row.length !== columns) {
      throw new RangeError(`table row has ${row.length} cells, the header ${columns}: ${row.join(' | ')}`);
    }
  }
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(header), rule, ...rows.map(line)].join('\n');
}
