import { fileURLToPath } from 'node:url';
import { pickFreePorts, stackFromEnv, startBuiltApp } from '@tributary/testkit';
import type { NodeProcessHandle } from '@tributary/testkit';

const mainJs = fileURLToPath(new URL('../dist/main.js', import.meta.url));

export interface RunningExporter {
  readonly url: string;
  readonly process: NodeProcessHandle;
  /** One scrape of /metrics. */
  metrics(): Promise<string>;
}

/** The exporter from its build (`npx turbo run build --filter=@tributary/lag-exporter`), as deployed. */
export async function startExporter(env: { databaseUrl: string; groups: string }): Promise<RunningExporter> {
  const stack = stackFromEnv();
  const [port] = await pickFreePorts(1);
  const url = `http://127.0.0.1:${port}`;
  const app = await startBuiltApp(mainJs, {
    name: 'lag-exporter',
    readyUrl: `${url}/health/ready`,
    env: {
      PORT: String(port),
      DATABASE_URL: env.databaseUrl,
      DATABASE_SCHEMA: 'lag_exporter',
      KAFKA_BROKERS: stack.kafka.brokers.join(','),
      SCHEMA_REGISTRY_URL: stack.registry.url,
      LAG_POLL_INTERVAL: '500ms',
      LAG_GROUPS: env.groups,
      LOG_LEVEL: 'warn',
    },
  });
  return {
    url,
    process: app,
    metrics: async () => (await fetch(`${url}/metrics`)).text(),
  };
}

/** The group pattern that matches exactly these names (LAG_GROUPS). */
export function onlyGroups(...groups: string[]): string {
  return groups.map((g) => g.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')).join('|');
}

/**
 * The value of one series in a Prometheus text exposition: the line of `name` whose labels include all of
 * `labels`. Undefined when there is none; NaN for prom-client's `Nan`.
 */
export function sample(
  exposition: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const line of exposition.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries(
      [...(match[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((m) => [
        m[1],
        m[2],
      ]),
    );
    if (Object.entries(labels).every(([k, v]) => found[k] === v))
      return Number(match[4]!.replace(/^nan$/i, 'NaN'));
  }
  return undefined;
}
