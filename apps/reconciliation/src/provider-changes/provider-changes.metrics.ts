import { registry } from '@tributary/observability';
import type { Logger } from '@tributary/observability';
import { Counter, Gauge } from 'prom-client';
import type { DataSource } from 'typeorm';
import { SHAPE_CHANGE_SEVERITIES } from './domain/profile.js';
import type { ProviderChangesRepository } from './provider-changes.repository.js';

/** Fills the open-changes gauge at scrape time once the app has a database (collectOpenChanges). */
let refreshOpenChanges: (() => Promise<void>) | undefined;

/** Metrics of provider shapes (docs/architecture.md#provider-shapes); only this app records them. */
export const providerShapeMetrics = {
  changes: new Counter({
    name: 'tributary_provider_shape_changes_total',
    help: 'Provider changes recorded, by provider, endpoint (operation or webhook event type) and kind (field_added, field_missing, type_changed, enum_value_added, status_added); one still open that is seen again is not counted again.',
    labelNames: ['provider', 'endpoint', 'kind'] as const,
    registers: [registry],
  }),
  openChanges: new Gauge({
    name: 'tributary_provider_shape_open_changes',
    help: 'Provider changes not yet acknowledged, by provider, endpoint and severity (info, warning, error), read from the table at scrape (every replica reports the same: aggregate with max).',
    labelNames: ['provider', 'endpoint', 'severity'] as const,
    registers: [registry],
    collect: () => refreshOpenChanges?.(),
  }),
  samples: new Counter({
    name: 'tributary_provider_shape_samples_total',
    help: 'Samples of provider responses and webhooks received from observers, by provider, surface (response, webhook) and observer app.',
    labelNames: ['provider', 'surface', 'observer'] as const,
    registers: [registry],
  }),
};

/**
 * Fills the open-changes gauge from the table on every scrape: acknowledging on one replica lowers every
 * replica's figure at once, with no timer to wait for. An endpoint with any change, open or acknowledged,
 * reports every severity, 0 where nothing is open: acknowledging the last open change ends its alert at the
 * next evaluation instead of leaving a vanished series for the rule to hold on to. A failed read is logged
 * and keeps the last figures rather than failing the whole scrape.
 */
export function collectOpenChanges(
  dataSource: DataSource,
  changes: Pick<ProviderChangesRepository, 'openCounts'>,
  logger: Logger,
): void {
  const gauge = providerShapeMetrics.openChanges;
  refreshOpenChanges = async () => {
    if (!dataSource.isInitialized) return;
    const counts = await changes.openCounts(dataSource.manager).catch((error: unknown) => {
      logger.warn(
        { err: error },
        'provider open changes could not be read; the gauge keeps its last figures',
      );
      return undefined;
    });
    if (!counts) return;
    gauge.reset();
    const endpoints = new Map(counts.map((row) => [`${row.provider}\u0000${row.endpoint}`, row]));
    for (const { provider, endpoint } of endpoints.values())
      for (const severity of SHAPE_CHANGE_SEVERITIES) gauge.set({ provider, endpoint, severity }, 0);
    for (const row of counts)
      gauge.set({ provider: row.provider, endpoint: row.endpoint, severity: row.severity }, row.count);
  };
}
