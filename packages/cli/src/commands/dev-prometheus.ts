import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pickFreePorts, waitFor } from '@tributary/testkit';

/**
 * An optional Prometheus for `npm run dev`: when a `prometheus` binary is on PATH (Debian's package), it
 * scrapes the session's apps with the project's alert rules (infra/prometheus/rules), so a newcomer can
 * query what the dashboards show. Its config and data live in a temporary directory removed on stop.
 */

const rulesDir = fileURLToPath(new URL('../../../../infra/prometheus/rules/', import.meta.url));
/** Faster than infra/prometheus's 15 s: a demo session is short, and someone is watching. */
const SCRAPE_INTERVAL = '5s';
const STOP_GRACE_MS = 10_000;

export interface ScrapeTargets {
  /** Base URL of each app by name (`app` label, as in infra/prometheus/targets/apps.yml). */
  readonly apps: ReadonlyMap<string, string>;
  /** A standalone lag exporter's base URL, when the platform runs one (job `kafka-lag`). */
  readonly lagExporterUrl?: string | undefined;
}

/**
 * The config: jobs `tributary` (one target per app, labelled `app`) and `kafka-lag`, as infra/prometheus
 * names them, so the rules and the dashboards' queries select the same series. JSON, which is YAML too.
 */
export function prometheusConfig(targets: ScrapeTargets, ruleFiles: readonly string[]): string {
  const hostOf = (url: string) => new URL(url).host;
  const config = {
    global: {
      scrape_interval: SCRAPE_INTERVAL,
      evaluation_interval: SCRAPE_INTERVAL,
      external_labels: { environment: 'dev' },
    },
    rule_files: ruleFiles,
    scrape_configs: [
      {
        job_name: 'tributary',
        metrics_path: '/metrics',
        static_configs: [...targets.apps].map(([app, url]) => ({ targets: [hostOf(url)], labels: { app } })),
      },
      ...(targets.lagExporterUrl
        ? [{ job_name: 'kafka-lag', static_configs: [{ targets: [hostOf(targets.lagExporterUrl)] }] }]
        : []),
    ],
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** The `prometheus` binary on PATH, or undefined. */
export function findPrometheus(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v prometheus'], { encoding: 'utf8' });
  const path = found.status === 0 ? found.stdout.trim() : '';
  return path || undefined;
}

export interface DevPrometheus {
  readonly url: string;
  readonly pid: number;
  /** SIGTERM, then SIGKILL past STOP_GRACE_MS; removes its directory. Never throws. */
  stop(): Promise<void>;
}

/** Starts Prometheus on a free port and resolves once it is ready; undefined when there is no binary. */
export async function startDevPrometheus(
  targets: ScrapeTargets,
  log: (line: string) => void,
): Promise<DevPrometheus | undefined> {
  const binary = findPrometheus();
  if (!binary) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'tributary-dev-prometheus-'));
  const ruleFiles = readdirSync(rulesDir)
    .filter((name) => name.endsWith('.rules.yml'))
    .map((name) => join(rulesDir, name));
  writeFileSync(join(dir, 'prometheus.yml'), prometheusConfig(targets, ruleFiles));
  const [port] = await pickFreePorts(1);
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    binary,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    // Its own process group: the terminal's Ctrl-C is for the runner, which stops it after the apps.
    { detached: true, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
  let exited = false;
  const gone = new Promise<void>((resolve) => {
    child.once('error', () => resolve());
    child.once('exit', () => resolve());
  }).then(() => {
    exited = true;
  });
  const stop = async () => {
    if (!exited && child.pid !== undefined) child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await gone;
    clearTimeout(killer);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      async () => {
        if (exited) throw new Error(`prometheus exited: ${stderr.trim()}`);
        return fetch(`${url}/-/ready`).then(
          (response) => response.ok,
          () => false,
        );
      },
      { timeoutMs: 30_000, message: 'prometheus ready' },
    );
  } catch (error) {
    await stop();
    log(`prom   not started: ${(error as Error).message}`);
    return undefined;
  }
  return { url, pid: child.pid!, stop };
}
