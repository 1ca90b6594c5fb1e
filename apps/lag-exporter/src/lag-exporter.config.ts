import { backboneEnv, loadConfig, serviceConfig, serviceEnv } from '@tributary/service-kit';
import type { Env, ServiceConfig } from '@tributary/service-kit';
import { z } from 'zod';

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;

/** `500ms`, `5s`, `1m`, `1h`, or a bare number of milliseconds. */
const duration = z.string().transform((value, ctx) => {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  if (!match) {
    ctx.addIssue({ code: 'custom', message: 'a duration such as 500ms, 5s, 1m or 1h' });
    return z.NEVER;
  }
  return Math.round(Number(match[1]) * UNIT_MS[(match[2] ?? 'ms') as keyof typeof UNIT_MS]);
});

const groupPattern = z.string().transform((value, ctx) => {
  try {
    // The whole name must match, as kafka-lag-exporter's group whitelist reads.
    return new RegExp(`^(?:${value})$`);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'a regular expression' });
    return z.NEVER;
  }
});

/**
 * The one place this app reads the environment: the kit's shared variables plus the exporter's own. A bad or
 * missing value stops the boot with every problem named by its variable, before any connection opens.
 */
const schema = z.object({
  ...serviceEnv({ port: 3500 }),
  ...backboneEnv,
  // How often the cluster is read; lag in seconds is resolved to about one interval.
  LAG_POLL_INTERVAL: duration.default(5_000).pipe(z.number().int().min(100).max(600_000)),
  // How far back latest-offset samples are kept, in memory and in Postgres: a committed offset older than the
  // window is extrapolated from it.
  LAG_HISTORY_WINDOW: duration.default(3_600_000).pipe(
    z
      .number()
      .int()
      .min(60_000)
      .max(7 * 86_400_000),
  ),
  // Groups reported (a regular expression the whole group name must match).
  LAG_GROUPS: groupPattern.default(/^(?:.*)$/),
});

export type LagExporterConfig = ServiceConfig & {
  readonly lag: {
    readonly pollIntervalMs: number;
    readonly historyWindowMs: number;
    readonly groups: RegExp;
  };
};

export function loadLagExporterConfig(env: Env = process.env): LagExporterConfig {
  return loadConfig(
    schema,
    (values) => {
      const service = serviceConfig('lag-exporter', values);
      return {
        ...service,
        // Its own schema unless told otherwise: replicas of one deployment share it (and the exporter lock).
        database: { ...service.database, schema: values.DATABASE_SCHEMA ?? 'lag_exporter' },
        lag: {
          pollIntervalMs: values.LAG_POLL_INTERVAL,
          historyWindowMs: values.LAG_HISTORY_WINDOW,
          groups: values.LAG_GROUPS,
        },
      };
    },
    { service: 'lag-exporter', env },
  );
}
