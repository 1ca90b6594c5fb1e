import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pickFreePorts } from '../stack/ports.js';
import { waitFor } from './wait-for.js';

export interface PrometheusServerOptions {
  /** prometheus.yml as an object; rule file paths must be absolute (the config is written to a temp dir). */
  readonly config: Record<string, unknown>;
  /** Default `prometheus` on PATH (Debian/Ubuntu: `apt-get install prometheus`). */
  readonly binary?: string;
  readonly timeoutMs?: number;
}

/** One sample of an instant query: the series' labels and its value as Prometheus formats it. */
export interface PromSample {
  readonly metric: Readonly<Record<string, string>>;
  readonly value: string;
}

export interface PrometheusServer {
  readonly url: string;
  /** An instant query now; rejects with Prometheus' own error for a query it refuses. */
  query(expr: string): Promise<PromSample[]>;
  /** Health of each scrape target, by `job` and `instance`. */
  targets(): Promise<Array<{ labels: Record<string, string>; health: string; lastError: string }>>;
  /** Stops the server and removes its data directory. */
  stop(): Promise<void>;
}

/**
 * A real Prometheus server on a free port with its TSDB in a temp dir, for tests that check what the
 * dashboards and alert rules compute on live scrapes. Nothing is mocked: the binary is the distribution's.
 */
export async function startPrometheusServer(options: PrometheusServerOptions): Promise<PrometheusServer> {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-prometheus-'));
  const configFile = join(dir, 'prometheus.yml');
  // JSON is YAML: no YAML writer needed for a config built as an object.
  writeFileSync(configFile, JSON.stringify(options.config, null, 2));
  const [port] = await pickFreePorts(1);
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  const child: ChildProcess = spawn(
    options.binary ?? 'prometheus',
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const spawnError = new Promise<never>((_, reject) =>
    child.once('error', (error) =>
      reject(
        new Error(
          `cannot run ${options.binary ?? 'prometheus'} (${error.message}): install it, e.g. apt-get install -y prometheus`,
        ),
      ),
    ),
  );
  for (const stream of [child.stdout, child.stderr]) stream?.on('data', (chunk) => (output += String(chunk)));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    await Promise.race([
      spawnError,
      exited.then(() => {
        throw new Error(`prometheus exited during start-up:\n${output}`);
      }),
      waitFor(`prometheus ready on ${url}`, async () => (await fetch(`${url}/-/ready`)).ok, {
        timeoutMs: options.timeoutMs ?? 30_000,
        intervalMs: 200,
      }),
    ]);
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    url,
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
