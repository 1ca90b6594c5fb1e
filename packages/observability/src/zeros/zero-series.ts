import type { Counter, Gauge, Histogram } from 'prom-client';

type Labels<L extends string> = Partial<Record<L, string>>;

/**
 * Every combination of the known values of each label: `labelSets({ provider: ['a', 'b'], outcome: ['ok'] })`
 * is `[{ provider: 'a', outcome: 'ok' }, { provider: 'b', outcome: 'ok' }]`.
 */
export function labelSets<L extends string>(values: { readonly [K in L]: readonly string[] }): Array<
  Record<L, string>
> {
  return (Object.entries(values) as Array<[L, readonly string[]]>).reduce<Array<Record<L, string>>>(
    (sets, [label, known]) => sets.flatMap((set) => known.map((value) => ({ ...set, [label]: value }))),
    [{} as Record<L, string>],
  );
}

/**
 * Exposes a 0 for each label set, so a panel or an alert reads 0 instead of "No data" until the first event
 * (docs/architecture.md#observability). Counters are incremented by 0, which any time leaves a value as it
 * is; gauges and histograms are set to zero, so call it for them before their first value (at boot) or
 * right after a reset, then set the real values.
 */
export function exposeZeros<L extends string>(
  metric: Counter<L> | Gauge<L> | Histogram<L>,
  sets: ReadonlyArray<Labels<L>>,
): void {
  for (const labels of sets) {
    if ('zero' in metric) metric.zero(labels);
    else if ('set' in metric) metric.set(labels, 0);
    else metric.inc(labels, 0);
  }
}
