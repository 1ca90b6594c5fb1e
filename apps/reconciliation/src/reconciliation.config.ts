import { isReconciledEntity } from '@tributary/contracts';
import type { ReconciledEntityName } from '@tributary/contracts';
import {
  apiKeysEnv,
  backboneEnv,
  consumerConfig,
  consumerEnv,
  loadConfig,
  parseConfiguredApiKeys,
  positiveInt,
  serviceConfig,
  serviceEnv,
} from '@tributary/service-kit';
import type { ConfiguredApiKey, ConsumerConfig, Env, RateLimit, ServiceConfig } from '@tributary/service-kit';
import { z } from 'zod';
import type { Guardrails } from './runs/domain/run.js';

/** What an API key may do here. */
export const RECONCILIATION_SCOPES = [
  'reconciliation:read',
  'reconciliation:run',
  'reconciliation:repair',
  'reconciliation:acknowledge',
] as const;

const units: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const duration = z
  .string()
  .regex(/^\d+(ms|s|m|h|d)$/, 'a duration such as 500ms, 30s, 5m, 24h')
  .transform((text) => Number(/^\d+/.exec(text)![0]) * units[/[a-z]+$/.exec(text)![0]]!);

/** `payment=5m,contact=15m`: one duration per entity. */
const perEntity = z.string().transform((text, ctx) => {
  const result: Partial<Record<ReconciledEntityName, number>> = {};
  for (const pair of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [entity = '', value = ''] = pair.split('=');
    const parsed = duration.safeParse(value);
    if (!isReconciledEntity(entity) || !parsed.success) {
      ctx.addIssue({ code: 'custom', message: `"${pair}" is not <payment|contact|shipment>=<duration>` });
      return z.NEVER;
    }
    result[entity] = parsed.data;
  }
  return result;
});

const entityList = z.string().transform((text, ctx) => {
  const entities = text
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  const unknown = entities.filter((e) => !isReconciledEntity(e));
  if (unknown.length > 0) {
    ctx.addIssue({
      code: 'custom',
      message: `unknown entities: ${unknown.join(', ')} (payment, contact, shipment)`,
    });
    return z.NEVER;
  }
  return entities as ReconciledEntityName[];
});

/**
 * The one place this app reads the environment. Defaults, and why:
 * - incremental runs every 5 min for payments (money: a dropped webhook is found within minutes, and
 *   Stripe's event list makes an incremental read cost one request per 100 changes), 10 min for
 *   shipments (carriers update a few times a day), 15 min for contacts (rare changes, and HubSpot's quota
 *   is shared with every app of the portal);
 * - a full sweep a day: what incremental reads cannot see (deletions, changes the owner made without an
 *   event) waits at most a day, at a cost of one walk of each owner a day;
 * - a 2 min overlap below the watermark: owners' clocks and list indexes lag by seconds; re-reading two
 *   minutes costs little, missing an edit that shared a timestamp costs a stale record;
 * - a 1 min settle window: a change younger than that may still be on its webhook's way.
 */
const schema = z.object({
  ...serviceEnv({ port: 3400 }),
  ...backboneEnv,
  ...consumerEnv({ group: 'reconciliation' }),
  ...apiKeysEnv,
  RECONCILE_ENTITIES: entityList.default(['payment', 'contact', 'shipment']),
  // Repairs are off (dry run) for every entity not listed: a new reconciler only reports until trusted.
  RECONCILE_REPAIR_ENTITIES: entityList.default([]),
  RECONCILE_INTERVALS: perEntity.default({ payment: 300_000, shipment: 600_000, contact: 900_000 }),
  RECONCILE_FULL_SWEEP_INTERVAL: duration.default(86_400_000),
  RECONCILE_OVERLAP: duration.default(120_000),
  RECONCILE_SETTLE: duration.default(60_000),
  // The first incremental run of an entity, with no watermark yet, looks back this far.
  RECONCILE_INITIAL_LOOKBACK: duration.default(86_400_000),
  RECONCILE_PAGE_SIZE: positiveInt.max(500).default(100),
  // A page without an answer in this time is asked for again (a connector restarted, a request lost).
  RECONCILE_PAGE_TIMEOUT: duration.default(60_000),
  // A page the owner could not serve is asked for again after 1 s, 2 s, 4 s, ... at most this long.
  RECONCILE_PAGE_RETRY_MAX: duration.default(60_000),
  // A page the connector held back for the provider's quota waits at most this long before it is asked
  // again: the budget refills in seconds, and live traffic keeps its share meanwhile.
  RECONCILE_THROTTLED_RETRY_MAX: duration.default(15_000),
  RECONCILE_MAX_REPAIRS: positiveInt.default(100),
  RECONCILE_MAX_MISMATCH_RATIO: z.coerce.number().min(0).max(1).default(0.1),
  RECONCILE_MIN_COMPARED_FOR_RATIO: positiveInt.default(20),
  // Off in tests and on replicas that must only serve the API; runs still go on when started through it.
  RECONCILE_SCHEDULE: z.stringbool().default(true),
  RECONCILE_DRIVER_INTERVAL: duration.default(1_000),
  METRICS_REFRESH: duration.default(15_000),
  // Provider shapes (docs/architecture.md#provider-shapes). An endpoint, and each status it answers, is
  // learnt silently from its first samples: optional fields and enum values show up there, not as changes.
  PROVIDER_SHAPES_LEARNING_SAMPLES: positiveInt.max(100_000).default(50),
  // A known field absent this many samples in a row is missing; one sample without it is not.
  PROVIDER_SHAPES_MISSING_AFTER: z.coerce.number().int().min(2).max(100_000).default(20),
});

export type ReconciliationConfig = ServiceConfig & {
  readonly consumer: ConsumerConfig;
  readonly entities: readonly ReconciledEntityName[];
  readonly repairEntities: readonly ReconciledEntityName[];
  readonly incrementalIntervalMs: Readonly<Partial<Record<ReconciledEntityName, number>>>;
  readonly fullSweepIntervalMs: number;
  readonly overlapMs: number;
  readonly settleMs: number;
  readonly initialLookbackMs: number;
  readonly pageSize: number;
  readonly pageTimeoutMs: number;
  readonly pageRetryMaxMs: number;
  readonly throttledRetryMaxMs: number;
  readonly guardrails: Guardrails;
  readonly schedule: boolean;
  readonly driverIntervalMs: number;
  readonly metricsRefreshMs: number;
  readonly providerShapes: { readonly learningSamples: number; readonly missingAfter: number };
  readonly apiKeys: {
    readonly configured: readonly ConfiguredApiKey[];
    readonly cacheTtlMs: number;
    readonly rateLimit: RateLimit;
  };
};

export function loadReconciliationConfig(env: Env = process.env): ReconciliationConfig {
  return loadConfig(
    schema,
    (values, problems) => {
      const keys = parseConfiguredApiKeys(values.API_KEYS, RECONCILIATION_SCOPES);
      problems.push(...keys.problems);
      return {
        ...serviceConfig('reconciliation', values, 'reconciliation'),
        consumer: consumerConfig(values, 'reconciliation'),
        entities: values.RECONCILE_ENTITIES,
        repairEntities: values.RECONCILE_REPAIR_ENTITIES,
        incrementalIntervalMs: {
          payment: 300_000,
          shipment: 600_000,
          contact: 900_000,
          ...values.RECONCILE_INTERVALS,
        },
        fullSweepIntervalMs: values.RECONCILE_FULL_SWEEP_INTERVAL,
        overlapMs: values.RECONCILE_OVERLAP,
        settleMs: values.RECONCILE_SETTLE,
        initialLookbackMs: values.RECONCILE_INITIAL_LOOKBACK,
        pageSize: values.RECONCILE_PAGE_SIZE,
        pageTimeoutMs: values.RECONCILE_PAGE_TIMEOUT,
        pageRetryMaxMs: values.RECONCILE_PAGE_RETRY_MAX,
        throttledRetryMaxMs: values.RECONCILE_THROTTLED_RETRY_MAX,
        guardrails: {
          maxRepairs: values.RECONCILE_MAX_REPAIRS,
          maxMismatchRatio: values.RECONCILE_MAX_MISMATCH_RATIO,
          minComparedForRatio: values.RECONCILE_MIN_COMPARED_FOR_RATIO,
        },
        schedule: values.RECONCILE_SCHEDULE,
        driverIntervalMs: values.RECONCILE_DRIVER_INTERVAL,
        metricsRefreshMs: values.METRICS_REFRESH,
        providerShapes: {
          learningSamples: values.PROVIDER_SHAPES_LEARNING_SAMPLES,
          missingAfter: values.PROVIDER_SHAPES_MISSING_AFTER,
        },
        apiKeys: {
          configured: keys.keys,
          cacheTtlMs: values.API_KEY_CACHE_TTL_MS,
          rateLimit: { ratePerSecond: values.API_RATE_PER_SECOND, burst: values.API_RATE_BURST },
        },
      };
    },
    { service: 'reconciliation', env },
  );
}
