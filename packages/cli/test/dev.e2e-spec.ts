import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, spawnNodeProcess, uniqueName, waitFor } from '@tributary/testkit';
import type { NodeProcessHandle, TestDatabase } from '@tributary/testkit';

// `tributary dev` as `npm run dev` runs it (tsx, from source), on the test stack under its own topic and
// group prefix and database. Needs the apps' builds.

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');

/** Whether `pid` is a live process (a zombie waiting for a reaper counts as gone). */
function isRunning(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Each app's pid as the runner announced it. */
function appPids(output: string): Map<string, number> {
  const pids = new Map<string, number>();
  for (const [, name, pid] of output.matchAll(/app {4}(\S+) (?:ready )?on http\S+ \(.*?pid (\d+)\)/g)) {
    pids.set(name!, Number(pid));
  }
  return pids;
}

/** The JSON log lines the runner echoed for one app. */
function appLog(output: string, app: string): Array<Record<string, unknown>> {
  return output
    .split('\n')
    .map((line) => new RegExp(`^[\\d:.]+ ${app} (\\{.*\\})$`).exec(line)?.[1])
    .filter((json): json is string => json !== undefined)
    .flatMap((json) => {
      try {
        return [JSON.parse(json) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
}

describe('tributary dev: Ctrl-C and a killed runner', () => {
  const prefix = `${uniqueName('dev')}.`;
  let db: TestDatabase;
  const runners: NodeProcessHandle[] = [];
  const pidsSeen = new Set<number>();

  const startRunner = async () => {
    const runner = spawnNodeProcess(tsxCli, {
      loader: false,
      cwd: repoRoot,
      args: [
        ...['--tsconfig', 'tsconfig.base.json', '--conditions=source', 'packages/cli/src/main.ts', 'dev'],
        ...['--port', '0', '--rate', '4', '--prefix', prefix, '--log-level', 'info'],
      ],
      // Its own process group, as a shell gives a foreground job: the test is its terminal.
      detached: true,
      env: { DATABASE_URL: db.url },
    });
    runners.push(runner);
    await runner.waitForOutput(/ready {2}connectors: /, { timeoutMs: 240_000 });
    for (const pid of appPids(runner.output).values()) pidsSeen.add(pid);
    return runner;
  };

  beforeAll(async () => {
    db = await createTestDatabase({ prefix: 'dev' });
  });

  afterAll(async () => {
    for (const runner of runners) {
      try {
        process.kill(-runner.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    for (const pid of pidsSeen) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
    await db?.drop();
  });

  it('on Ctrl-C, every app drains once and exits 0', async () => {
    const runner = await startRunner();
    const apps = appPids(runner.output);
    expect([...apps.keys()].sort()).toEqual(
      expect.arrayContaining(['dlq-handler', 'example-service', 'ingestion', 'provider-sim']),
    );
    expect([...apps.keys()].filter((name) => name.startsWith('connector-')).length).toBeGreaterThanOrEqual(3);

    // Orders flowing through the connectors while the Ctrl-C comes: the drain has work to finish.
    await runner.waitForOutput(
      /kafka {2}\S+ payments\.payment\.succeeded .* from \/tributary\/connector-payments/,
      {
        timeoutMs: 120_000,
      },
    );

    // What a terminal does on Ctrl-C: SIGINT to the whole foreground process group.
    process.kill(-runner.pid, 'SIGINT');
    expect(await runner.exited).toEqual({ code: 0, signal: null });

    expect(runner.output).not.toContain('second signal during shutdown');
    for (const [name, pid] of apps) {
      expect(runner.output).toContain(`app    ${name} stopped (exit 0)`);
      expect(isRunning(pid)).toBe(false);
      if (name === 'provider-sim') continue; // not a Nest app: no shutdown log, its exit 0 above is its drain
      const log = appLog(runner.output, name);
      expect(log.filter((line) => line.msg === 'shutdown requested').map((line) => line.signal)).toEqual([
        'SIGTERM',
      ]);
      expect(log.filter((line) => line.msg === 'exiting')).toEqual([
        expect.objectContaining({ signal: 'SIGTERM', failed: false }),
      ]);
    }
  }, 480_000);

  it('leaves no app running when the runner is SIGKILLed', async () => {
    const runner = await startRunner();
    const apps = appPids(runner.output);

    // tsx and the runner it runs, with no chance to stop anything.
    process.kill(-runner.pid, 'SIGKILL');
    await runner.exited;
    await waitFor(() => [...apps.values()].every((pid) => !isRunning(pid)), {
      timeoutMs: 60_000,
      message: `every app (${[...apps].map(([name, pid]) => `${name} ${pid}`).join(', ')}) gone after the runner`,
    });
  }, 480_000);
});
