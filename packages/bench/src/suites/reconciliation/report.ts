import { goalLine } from '../../goals.js';
import {
  formatBytes,
  formatMs,
  formatRate,
  formatRatio,
  ratePerSecond,
  ratio,
  renderTable,
} from '../../stats.js';
import { ENTITY_SPECS } from './entities.js';
import type { BenchEntityName } from './entities.js';
import {
  comparedPerSecond,
  entityGoals,
  formatCount,
  formatPerRecord,
  formatSeconds,
  readCeilingPerSecond,
  requestsPerRecord,
  runMs,
  sweepSeconds,
} from './figures.js';
import type { EntityMeasurement, Outcome } from './figures.js';

export interface ReconciliationResults {
  readonly run: string;
  readonly records: number;
  readonly driftRate: number;
  /** The settings the reconciler and the connectors ran with, one line each. */
  readonly settings: readonly string[];
  readonly entities: readonly { entity: BenchEntityName; outcome: Outcome<EntityMeasurement> }[];
  /** Other test runs seen on the machine while measuring. */
  readonly busy: readonly string[];
  readonly cleanupProblems: readonly string[];
}

const dash = '—';

/** A ratio, with two significant digits below 0.1 (the SQL ceiling's are around 0.005×: "0.00×" says nothing). */
export function formatShare(value: number): string {
  if (!Number.isFinite(value)) return formatRatio(value);
  return value < 0.1 ? `${Number(value.toPrecision(2))}×` : formatRatio(value);
}

/** A table cell stays narrow: the whole message is printed under the table (`problems`). */
function notMeasured(error: string): string {
  return `not measured${error.length > 0 ? ` (${error.length > 40 ? `${error.slice(0, 39)}…` : error})` : ''}`;
}

/** Every phase that could not be measured, with its whole message. */
function problemsOf(entity: BenchEntityName, outcome: Outcome<EntityMeasurement>): string[] {
  if ('error' in outcome) return [`  ${entity}: ${outcome.error}`];
  const m = outcome.value;
  const problems: string[] = [];
  if ('error' in m.readCeiling) problems.push(`  ${entity} raw read: ${m.readCeiling.error}`);
  if ('error' in m.sqlCeiling) problems.push(`  ${entity} SQL compare: ${m.sqlCeiling.error}`);
  if ('error' in m.breakdown) problems.push(`  ${entity} page breakdown: ${m.breakdown.error}`);
  return problems;
}

function runRow(entity: BenchEntityName, outcome: Outcome<EntityMeasurement>): string[] {
  if ('error' in outcome) return [entity, notMeasured(outcome.error), ...Array<string>(10).fill(dash)];
  const m = outcome.value;
  return [
    entity,
    m.run.status,
    formatCount(m.records),
    formatCount(m.run.compared),
    formatCount(m.run.deferred),
    formatCount(m.run.unverifiable),
    formatCount(m.run.pages),
    formatCount(m.requests),
    formatPerRecord(requestsPerRecord(m)),
    formatCount(m.peakRequestsPerSecond),
    formatSeconds(runMs(m.run) / 1000),
    formatRate(comparedPerSecond(m.run)),
  ];
}

function ceilingRow(entity: BenchEntityName, outcome: Outcome<EntityMeasurement>): string[] {
  if ('error' in outcome) return [entity, ...Array<string>(8).fill(dash)];
  const m = outcome.value;
  const pipeline = comparedPerSecond(m.run);
  const read = readCeilingPerSecond(m);
  const sql =
    'value' in m.sqlCeiling ? ratePerSecond(m.sqlCeiling.value.rows, m.sqlCeiling.value.ms) : Number.NaN;
  const readCells =
    'value' in m.readCeiling
      ? [formatCount(m.readCeiling.value.requests), formatSeconds(m.readCeiling.value.ms / 1000)]
      : [notMeasured(m.readCeiling.error), dash];
  const sqlCells =
    'value' in m.sqlCeiling
      ? [formatSeconds(m.sqlCeiling.value.ms / 1000), formatRate(sql)]
      : [notMeasured(m.sqlCeiling.error), dash];
  return [
    entity,
    ...readCells,
    formatRate(read),
    formatShare(ratio(pipeline, read)),
    ...sqlCells,
    formatShare(ratio(pipeline, sql)),
    'value' in m.sqlCeiling ? formatCount(m.sqlCeiling.value.mismatches) : dash,
  ];
}

function breakdownRow(entity: BenchEntityName, outcome: Outcome<EntityMeasurement>): string[] {
  if ('error' in outcome) return [entity, ...Array<string>(5).fill(dash)];
  const b = outcome.value.breakdown;
  if ('error' in b) return [entity, notMeasured(b.error), dash, dash, dash, dash];
  const { value } = b;
  return [
    entity,
    formatCount(value.pages),
    formatMs(value.reconcilerPageAndRelay),
    formatMs(value.connectorConsumeAndRead),
    formatMs(value.connectorCommitAndRelay),
    formatMs(value.reconcilerConsume),
  ];
}

/** The reconciliation suite's report: pure, so its layout and its goals are unit-tested. */
export function renderReconciliationReport(results: ReconciliationResults): string {
  const percent = `${Number((results.driftRate * 100).toFixed(4))} %`;
  const lines: string[] = [
    `reconciliation — FULL sweeps through each owner's connector and the reconciler, against provider-sim; run ${results.run}`,
    `workload: ${formatCount(results.records)} records per entity, ${percent} of them drifted at the owner; the local state`,
    '  is inserted straight into the reconciler’s projections with bulk SQL from the seed’s objects (pre-drift values),',
    '  not through the platform’s events: the event path is not what this measures.',
    ...results.settings.map((line) => `settings: ${line}`),
    '',
    renderTable(
      [
        'entity',
        'status',
        'records',
        'compared',
        'deferred',
        'unverifiable',
        'pages',
        'requests',
        'req/record',
        'peak req/s',
        'run time',
        'compared/s',
      ],
      results.entities.map(({ entity, outcome }) => runRow(entity, outcome)),
    ),
    '',
    'drift injected vs mismatches found',
  ];
  for (const { entity, outcome } of results.entities) {
    if ('error' in outcome) {
      lines.push(`  ${entity}: not measured`);
      continue;
    }
    const m = outcome.value;
    const classes = Object.entries(m.findings)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, count]) => `${name} ${formatCount(count)}`)
      .join(', ');
    const same = m.run.mismatches === m.drifted;
    lines.push(
      `  ${entity}: ${formatCount(m.drifted)} drifted, ${formatCount(m.run.mismatches)} mismatches found` +
        ` (findings: ${classes || 'none'})${same ? '' : ` — DIFFERS by ${formatCount(m.run.mismatches - m.drifted)}`}`,
    );
    if (m.run.status !== 'succeeded')
      lines.push(`    the run ended ${m.run.status}${m.run.error ? `: ${m.run.error}` : ''}`);
    const walked = m.run.compared + m.run.deferred;
    if (walked !== m.ownerObjects)
      lines.push(
        `    the walk returned ${formatCount(walked)} records of the ${formatCount(m.ownerObjects)} the owner holds`,
      );
    if (m.run.deferred > 0)
      lines.push(
        `    ${formatCount(m.run.deferred)} deferred (changed within the settle window): not compared`,
      );
  }

  lines.push(
    '',
    'ceilings, measured in the same run after the sweep (reconciler and connector stopped)',
    renderTable(
      [
        'entity',
        'raw read requests',
        'raw read time',
        'read records/s',
        'run ÷ read',
        'SQL compare',
        'SQL rows/s',
        'run ÷ SQL',
        'SQL mismatches',
      ],
      results.entities.map(({ entity, outcome }) => ceilingRow(entity, outcome)),
    ),
  );
  for (const { entity, outcome } of results.entities) {
    if ('error' in outcome) continue;
    const m = outcome.value;
    if (!('value' in m.readCeiling)) continue;
    const perPage = runMs(m.run) / m.run.pages;
    const readPerPage = m.readCeiling.value.ms / m.readCeiling.value.requests;
    if (!Number.isFinite(perPage) || !Number.isFinite(readPerPage)) continue;
    lines.push(
      `  ${entity}: ${perPage.toFixed(0)} ms a page end to end, of which the read alone ${readPerPage.toFixed(0)} ms:` +
        ` ${(perPage - readPerPage).toFixed(0)} ms a page are the platform's`,
    );
  }
  lines.push(
    'raw read: every object listed with plain fetch, page by page, as the connector asks (same page size);',
    'SQL compare: one statement joining the owner copies of the raw read with the projection, every owned field.',
    '',
    'where a page goes (medians over the pages, ms, from the apps’ outbox and inbox timestamps)',
    renderTable(
      [
        'entity',
        'pages',
        'reconciler page tx + relay',
        'connector consume + read',
        'connector commit + relay',
        'reconciler consume',
      ],
      results.entities.map(({ entity, outcome }) => breakdownRow(entity, outcome)),
    ),
    '',
    "full sweep at the provider's documented limit (requests this walk made ÷ the limit), next to the measured one",
  );
  for (const { entity, outcome } of results.entities) {
    const spec = ENTITY_SPECS[entity];
    if ('error' in outcome) {
      lines.push(`  ${entity}: not measured`);
      continue;
    }
    const m = outcome.value;
    const limits = [spec.limit, ...(spec.otherLimit ? [spec.otherLimit] : [])]
      .map((limit) => `${formatSeconds(sweepSeconds(m.requests, limit))} at ${limit.name}`)
      .join('; ');
    const measured = runMs(m.run) / 1000;
    const bound =
      measured > sweepSeconds(m.requests, spec.limit)
        ? 'slower than the limit allows: the platform, not the provider, bounds this sweep'
        : 'faster than the limit allows: the provider bounds this sweep';
    lines.push(
      `  ${entity}: ${formatCount(m.requests)} requests → ${limits}; measured unthrottled: ${formatSeconds(measured)} (${bound})`,
      `    limit: ${spec.limit.source}; the connector's own bucket: ${spec.connectorBucket}`,
    );
  }

  lines.push('', 'memory: RSS sampled every 250 ms from /proc while the run went on (at its start, peak)');
  for (const { entity, outcome } of results.entities) {
    if ('error' in outcome) continue;
    const m = outcome.value;
    lines.push(
      `  ${entity}: reconciler ${formatBytes(m.reconciler.atStart)}, peak ${formatBytes(m.reconciler.peak)};` +
        ` ${ENTITY_SPECS[entity].connector.app} ${formatBytes(m.connector.atStart)}, peak ${formatBytes(m.connector.peak)}`,
    );
  }
  lines.push('', "setup (not in the figures): seeding the simulator, inserting the platform's rows");
  for (const { entity, outcome } of results.entities) {
    if ('error' in outcome) continue;
    const m = outcome.value;
    const refs =
      m.connectorRows > 0 ? ` and ${formatCount(m.connectorRows)} of the connector's external_refs` : '';
    lines.push(
      `  ${entity}: seed ${formatSeconds(m.seedMs / 1000)}; ${formatCount(m.records)} projection rows${refs} ${formatSeconds(m.localRowsMs / 1000)}`,
    );
  }

  const problems = results.entities.flatMap(({ entity, outcome }) => problemsOf(entity, outcome));
  if (problems.length > 0) lines.push('', 'not measured:', ...problems);
  lines.push(
    '',
    results.busy.length === 0
      ? 'machine: no other test run seen while measuring.'
      : `machine: BUSY while measuring (other test runs: ${results.busy.join('; ')}): every figure shares the same 2 cores.`,
  );
  if (results.cleanupProblems.length > 0)
    lines.push(`cleanup problems: ${results.cleanupProblems.join('; ')}`);
  lines.push('');
  for (const { entity, outcome } of results.entities) {
    const spec = ENTITY_SPECS[entity];
    const goals = entityGoals(
      {
        entity,
        plural: spec.plural,
        records: results.records,
        limit: spec.limit,
        largestPage: spec.largestPage,
        closingRequests: spec.closingRequests,
      },
      'value' in outcome ? outcome.value : undefined,
    );
    lines.push(...goals.map(goalLine));
  }
  return lines.join('\n');
}
