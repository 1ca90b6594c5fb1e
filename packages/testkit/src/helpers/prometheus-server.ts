import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pickFreePorts } from '../stack/ports.js';
import { startExternalProcess, whenReady } from './external-process.js';

export interface PrometheusServerOptions {
  /** prometheus.yml as an object; rule file paths must be absolute (the config is written to a temp dir). */
  readonly config: Record<string, unknown>;
  /** Default `prometheus` on PATH (Debian/Ubuntu: `apt-get install prometheus`). */
  readonly binary?: string;
  /** Its own process group (the dev runner's: a terminal's Ctrl-C is for the runner). */
  readonly detached?: boolean;
  readonly timeoutMs?: number;
}

/** One sample of an instant query: the series' labels and its value as Prometheus formats it. */
export interface PromSample {
  readonly metric: Readonly<Record<string, string>>;
  readonly value: string;
}

export interface PrometheusServer {
  readonly url: string;
  readonly pid: number;
  /** An instant query now; rejects with Prometheus' own error for a query it refuses. */
  query(expr: string): Promise<PromSample[]>;
  /** Health of each scrape target, by `job` and `instance`. */
  targets(): Promise<Array<{ labels: Record<string, string>; health: string; lastError: string }>>;
  /** Stops the server (SIGKILL past 10 s) and removes its data directory. */
  stop(): Promise<void>;
}

/** One process Prometheus scrapes: a replica of an app. */
export interface ScrapeTarget {
  /** The service: `app` label, as infra/prometheus labels every replica of a compose service. */
  readonly app: string;
  /**
   * Base URL; /metrics is scraped under it. Its host:port is the `instance` label, Prometheus' default and
   * what compose's DNS discovery gives each container (its address): distinct per replica.
   */
  readonly url: string;
}

/** Where the apps of a running platform serve /metrics: infra/prometheus's two jobs. */
export interface ScrapeTargets {
  /** Every replica of every app: job `tributary`. */
  readonly apps: readonly ScrapeTarget[];
  /** The lag exporter's replicas, alone in job `kafka-lag` so its series are scraped once. */
  readonly lagExporters?: readonly ScrapeTarget[];
}

/**
 * A prometheus.yml with infra/prometheus's jobs and labels, so its rules and the dashboards' queries select
 * the same series as in production, over processes on this machine: one target per replica, labelled with
 * its app (what dashboards sum by); its instance is its host:port (what a per-replica panel or
 * TributaryTargetDown names).
 */
export function prometheusConfig(
  targets: ScrapeTargets,
  options: { ruleFiles: readonly string[]; interval: string; environment: string },
): Record<string, unknown> {
  const staticConfig = ({ app, url }: ScrapeTarget) => ({ targets: [new URL(url).host], labels: { app } });
  const lagExporters = targets.lagExporters ?? [];
  return {
    global: {
      scrape_interval: options.interval,
      evaluation_interval: options.interval,
      external_labels: { environment: options.environment },
    },
    rule_files: options.ruleFiles,
    scrape_configs: [
      {
        job_name: 'tributary',
        metrics_path: '/metrics',
        static_configs: targets.apps.map(staticConfig),
      },
      ...(lagExporters.length > 0
        ? [
            {
              job_name: 'kafka-lag',
              metrics_path: '/metrics',
              static_configs: lagExporters.map(staticConfig),
            },
          ]
        : []),
    ],
  };
}

/**
 * A real Prometheus server on a free port with its TSDB in a temp dir: tests check what the dashboards and
 * alert rules compute on live scrapes, and `npm run dev` offers one. The binary is the distribution's.
 */
export async function startPrometheusServer(options: PrometheusServerOptions): Promise<PrometheusServer> {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-prometheus-'));
  const configFile = join(dir, 'prometheus.yml');
  // JSON is YAML: no YAML writer needed for a config built as an object.
  writeFileSync(configFile, JSON.stringify(options.config, null, 2));
  const [port] = await pickFreePorts(1);
  const url = `http://127.0.0.1:${port}`;
  const server = startExternalProcess(
    'prometheus',
    options.binary ?? 'prometheus',
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { missing: 'install it, e.g. apt-get install -y prometheus', detached: options.detached ?? false },
  );
  const stop = await whenReady(server, {
    description: `prometheus ready on ${url}`,
    ready: async () => (await fetch(`${url}/-/ready`)).ok,
    timeoutMs: options.timeoutMs ?? 30_000,
    dir,
  });

  return {
    url,
    pid: server.child.pid!,
    async query(expr) {
      const response = await fetch(`${url}/api/v1/query`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ query: expr }),
      });
      const body = (await response.json()) as {
        status: string;
        error?: string;
        data?: { resultType: string; result: unknown };
      };
      if (body.status !== 'success') throw new Error(`prometheus refused ${expr}: ${body.error}`);
      const { resultType, result } = body.data!;
      if (resultType === 'scalar' || resultType === 'string')
        return [{ metric: {}, value: (result as [number, string])[1] }];
      return (result as Array<{ metric: Record<string, string>; value: [number, string] }>).map((r) => ({
        metric: r.metric,
        value: r.value[1],
      }));
    },
    async targets() {
      const body = (await (await fetch(`${url}/api/v1/targets?state=active`)).json()) as {
        data: { activeTargets: Array<{ labels: Record<string, string>; health: string; lastError: string }> };
      };
      return body.data.activeTargets;
    },
    stop,
  };
}
