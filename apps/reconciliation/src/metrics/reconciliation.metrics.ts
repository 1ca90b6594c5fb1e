import { MISMATCH_CLASSES } from '@tributary/contracts';
import { exposeZeros, labelSets, registry } from '@tributary/observability';
import { Counter, Gauge, Histogram } from 'prom-client';

/**
 * The reconciler's metrics, in the shared registry so `/metrics` serves them with the standard ones. They
 * live here because only this app records them.
 */
export const reconciliationMetrics = {
  lastSuccess: new Gauge({
    name: 'tributary_reconciliation_last_success_timestamp_seconds',
    help: 'When the last run of an entity completed within its guardrails (incremental or full).',
    labelNames: ['entity'] as const,
    registers: [registry],
  }),
  runDuration: new Histogram({
    name: 'tributary_reconciliation_run_duration_seconds',
    help: 'Duration of finished runs, by entity, mode (incremental, full, ids) and status (succeeded, failed, guardrail_tripped, cancelled).',
    labelNames: ['entity', 'mode', 'status'] as const,
    buckets: [1, 5, 15, 60, 300, 900, 3600, 14_400],
    registers: [registry],
  }),
  runs: new Counter({
    name: 'tributary_reconciliation_runs_total',
    help: 'Finished runs, by entity, mode and status (succeeded, failed, guardrail_tripped, cancelled).',
    labelNames: ['entity', 'mode', 'status'] as const,
    registers: [registry],
  }),
  compared: new Counter({
    name: 'tributary_reconciliation_records_compared_total',
    help: "Owner records compared with the platform's copy, by entity (deferred ones are not: they are judged next run).",
    labelNames: ['entity'] as const,
    registers: [registry],
  }),
  mismatches: new Counter({
    name: 'tributary_reconciliation_mismatches_total',
    help: 'Disagreements found, by entity and kind (missing_locally, missing_at_owner, stale_locally, stale_at_owner, conflict, duplicate_link); a run that sees one again counts it again.',
    labelNames: ['entity', 'kind'] as const,
    registers: [registry],
  }),
  unverifiable: new Counter({
    name: 'tributary_reconciliation_unverifiable_pages_total',
    help: 'Pages the owner could not be read for (never counted as mismatches), by entity and code.',
    labelNames: ['entity', 'code'] as const,
    registers: [registry],
  }),
  repairs: new Counter({
    name: 'tributary_reconciliation_repairs_total',
    help: 'Repair decisions, by entity and outcome (emitted, dry_run, suppressed, not_repairable: no event can state the owner value).',
    labelNames: ['entity', 'outcome'] as const,
    registers: [registry],
  }),
  guardrailTrips: new Counter({
    name: 'tributary_reconciliation_guardrail_trips_total',
    help: 'Runs stopped by a guardrail (too many repairs, too high a mismatch ratio), by entity.',
    labelNames: ['entity'] as const,
    registers: [registry],
  }),
  openFindings: new Gauge({
    name: 'tributary_reconciliation_open_findings',
    help: 'Open findings by entity and class, read from the table (every replica reports the same: aggregate with max).',
    labelNames: ['entity', 'class'] as const,
    registers: [registry],
  }),
  driftRatio: new Gauge({
    name: 'tributary_reconciliation_last_run_drift_ratio',
    help: 'Mismatches over compared records of the last finished run of an entity (0..1).',
    labelNames: ['entity', 'mode'] as const,
    registers: [registry],
  }),
  lastSynced: new Gauge({
    name: 'tributary_sync_last_synced_timestamp_seconds',
    help: "When the platform's copy of an entity was last found in agreement with its owner (end of the last run that completed).",
    labelNames: ['provider', 'entity'] as const,
    registers: [registry],
  }),
  interval: new Gauge({
    name: 'tributary_reconciliation_interval_seconds',
    help: 'How often runs of an entity are scheduled, by mode (incremental, full): alerts judge staleness against it.',
    labelNames: ['entity', 'mode'] as const,
    registers: [registry],
  }),
  applyLag: new Histogram({
    name: 'tributary_reconciliation_apply_lag_seconds',
    help: "Time from the owner's change to the platform's projection applying it, by entity and path (event: the normal path; repair: found by reconciliation).",
    labelNames: ['entity', 'path'] as const,
    buckets: [0.1, 0.5, 1, 5, 30, 60, 300, 1800, 3600, 21_600, 86_400],
    registers: [registry],
  }),
};

const FINISHED_RUN_STATUSES = ['succeeded', 'failed', 'guardrail_tripped', 'cancelled'];
const SCHEDULED_MODES = ['incremental', 'full'];
const REPAIR_OUTCOMES = ['emitted', 'dry_run', 'suppressed', 'not_repairable'];

/**
 * Zeros for every label value known before the first run, so the reconciliation dashboard and its alerts
 * read 0 instead of "No data" (docs/architecture.md#observability). Failure codes of unverifiable pages
 * are not known in advance: each entity gets one series without a code.
 */
export function exposeReconciliationZeros(entities: readonly string[]): void {
  const m = reconciliationMetrics;
  exposeZeros(m.runs, labelSets({ entity: entities, mode: SCHEDULED_MODES, status: FINISHED_RUN_STATUSES }));
  exposeZeros(m.compared, labelSets({ entity: entities }));
  exposeZeros(m.mismatches, labelSets({ entity: entities, kind: MISMATCH_CLASSES }));
  exposeZeros(m.unverifiable, labelSets({ entity: entities }));
  exposeZeros(m.repairs, labelSets({ entity: entities, outcome: REPAIR_OUTCOMES }));
  exposeZeros(m.guardrailTrips, labelSets({ entity: entities }));
}

/** The open-findings gauge as the table counts it, with 0 for each mismatch class of each entity. */
export function setOpenFindings(
  entities: readonly string[],
  counts: ReadonlyArray<{ entity: string; class: string; count: number }>,
): void {
  const gauge = reconciliationMetrics.openFindings;
  gauge.reset();
  exposeZeros(gauge, labelSets({ entity: entities, class: MISMATCH_CLASSES }));
  for (const row of counts) gauge.set({ entity: row.entity, class: row.class }, row.count);
}
