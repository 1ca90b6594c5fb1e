import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prometheusConfig, startPrometheusServer } from '@tributary/testkit';
import type { ScrapeTargets } from '@tributary/testkit';

/**
 * An optional Prometheus for `npm run dev`: when a `prometheus` binary is on PATH (Debian's package), it
 * scrapes the session's apps with the project's alert rules (infra/prometheus/rules), so a newcomer can
 * query what the dashboards show. Its config and data live in a temporary directory removed on stop.
 */

const rulesDir = fileURLToPath(new URL('../../../../infra/prometheus/rules/', import.meta.url));
/** Faster than infra/prometheus's 15 s: a demo session is short, and someone is watching. */
const SCRAPE_INTERVAL = '5s';

/** The `prometheus` binary on PATH, or undefined. */
export function findPrometheus(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v prometheus'], { encoding: 'utf8' });
  const path = found.status === 0 ? found.stdout.trim() : '';
  return path || undefined;
}

export interface DevPrometheus {
  readonly url: string;
  readonly pid: number;
  /** SIGTERM, then SIGKILL past 10 s; removes its directory. Never throws. */
  stop(): Promise<void>;
}

/** Starts Prometheus on a free port and resolves once it is ready; undefined when there is no binary. */
export async function startDevPrometheus(
  targets: ScrapeTargets,
  log: (line: string) => void,
): Promise<DevPrometheus | undefined> {
  const binary = findPrometheus();
  if (!binary) return undefined;
  const ruleFiles = readdirSync(rulesDir)
    .filter((name) => name.endsWith('.rules.yml'))
    .map((name) => join(rulesDir, name));
  try {
    const server = await startPrometheusServer({
      binary,
      config: prometheusConfig(targets, { ruleFiles, interval: SCRAPE_INTERVAL, environment: 'dev' }),
      // Its own process group: the terminal's Ctrl-C is for the runner, which stops it after the apps.
      detached: true,
    });
    return { url: server.url, pid: server.pid, stop: () => server.stop().catch(() => undefined) };
  } catch (error) {
    log(`prom   not started: ${(error as Error).message}`);
    return undefined;
  }
}
