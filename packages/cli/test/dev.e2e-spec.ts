import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createKafkaClient } from '@tributary/kafka';
import { createTestDatabase, spawnNodeProcess, uniqueName, waitFor } from '@tributary/testkit';
import type { NodeProcessHandle, TestDatabase } from '@tributary/testkit';
import { findPrometheus } from '../src/commands/dev-prometheus.js';
import type { DevSession } from '../src/session/dev-session.js';
import { descendantsOf, isRunning } from './support/process-tree.js';

// `tributary dev` as `npm run dev` runs it (node with tsx's loader, from source), on the test stack under its
// own topic and group prefix and database, with its session file in a temporary directory. Needs the apps'
// builds.

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');

/** `tributary dev` as `npm run dev` runs it: node with tsx's loader, no tsx CLI in between (see dev-guard.ts). */
function devRunner(args: string[], env: Record<string, string | undefined>): NodeProcessHandle {
  return spawnNodeProcess(join(repoRoot, 'packages/cli/src/main.ts'), {
    cwd: repoRoot,
    args: ['dev', '--port', '0', '--rate', '4', ...args],
    // Its own process group, as a shell gives a foreground job: the test is its terminal.
    detached: true,
    env,
  });
}

/** The CLI from source, as `npm run tributary --` runs it. */
function tributary(args: string[], env: Record<string, string | undefined>): NodeProcessHandle {
  return spawnNodeProcess(tsxCli, {
    loader: false,
    cwd: repoRoot,
    args: ['--tsconfig', 'tsconfig.base.json', '--conditions=source', 'packages/cli/src/main.ts', ...args],
    env,
  });
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

describe('tributary dev: the session file, Ctrl-C and a killed runner', () => {
  const prefix = `${uniqueName('dev')}.`;
  let db: TestDatabase;
  let dir: string;
  let sessionFile: string;
  const runners: NodeProcessHandle[] = [];
  const pidsSeen = new Set<number>();

  const startRunner = async () => {
    const runner = devRunner(['--prefix', prefix, '--log-level', 'info'], {
      DATABASE_URL: db.url,
      TRIBUTARY_DEV_SESSION: sessionFile,
    });
    runners.push(runner);
    await runner.waitForOutput(/ready {2}session /, { timeoutMs: 240_000 });
    // The last of the export lines, which follow the session line.
    await runner.waitForOutput(/^export DATABASE_URL=.*\n/m);
    for (const pid of appPids(runner.output).values()) pidsSeen.add(pid);
    return runner;
  };
  // The CLI as a developer runs it in another terminal: nothing in its environment but the session file.
  const cliEnv = () => ({ DLQ_URL: undefined, DLQ_API_KEY: undefined, TRIBUTARY_DEV_SESSION: sessionFile });

  beforeAll(async () => {
    db = await createTestDatabase({ prefix: 'dev' });
    dir = mkdtempSync(join(tmpdir(), 'tributary-dev-'));
    sessionFile = join(dir, 'dev', 'session.json');
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
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes the session for the CLI, and on Ctrl-C every app drains once and exits 0', async () => {
    const runner = await startRunner();
    const apps = appPids(runner.output);
    expect([...apps.keys()].sort()).toEqual(
      expect.arrayContaining(['dlq-handler', 'example-service', 'ingestion', 'provider-sim']),
    );
    expect([...apps.keys()].filter((name) => name.startsWith('connector-')).length).toBeGreaterThanOrEqual(3);

    // The session file: owner-only, the URL and key the runner printed, and the export lines.
    expect(statSync(sessionFile).mode & 0o777).toBe(0o600);
    const session = JSON.parse(readFileSync(sessionFile, 'utf8')) as DevSession;
    const [, consoleUrl, printedKey] =
      /DLQ console (http:\S+)\/console \(API key for this session: (\S+)\)/.exec(runner.output)!;
    expect(session.env.DLQ_URL).toBe(consoleUrl);
    expect(session.env.DLQ_API_KEY).toBe(printedKey);
    expect(session.env.DATABASE_URL).toBe(db.url);
    expect(Object.keys(session.env)).toEqual(
      expect.arrayContaining([
        'INGESTION_URL',
        'KAFKA_BROKERS',
        'SCHEMA_REGISTRY_URL',
        'STRIPE_WEBHOOK_SECRET',
        'EASYPOST_WEBHOOK_SECRET',
        'HUBSPOT_WEBHOOK_SECRET',
      ]),
    );
    expect(runner.output).toContain(`\nexport DLQ_URL=${consoleUrl}\n`);

    // The CLI finds the session's DLQ by the file alone.
    const ls = tributary(['dlq', 'ls'], cliEnv());
    expect({ ...(await ls.exited), stderr: ls.stderr }).toEqual({
      code: 0,
      signal: null,
      stderr: expect.any(String),
    });
    expect(ls.stdout).toMatch(/^ID +GROUP +ORIGIN/);
    expect(ls.stdout).toMatch(/\d+ dead letter\(s\)\n$/);

    // Orders flowing through the connectors while the Ctrl-C comes: the drain has work to finish.
    await runner.waitForOutput(
      /kafka {2}\S+ payments\.payment\.succeeded .* from \/tributary\/connector-payments/,
      {
        timeoutMs: 120_000,
      },
    );

    // The demo's drift: a contact edited in HubSpot without a webhook, which the dev reconciler (every 30 s,
    // repairs on) finds; the tap shows its corrective event as a repair.
    const [, edited] = await runner.waitForOutput(/drift {2}HubSpot contact \d+ \(customer (\S+)\)/, {
      timeoutMs: 120_000,
    });
    await runner.waitForOutput(
      new RegExp(`crm\\.contact\\.upserted subject=${edited} from /tributary/reconciliation .*REPAIR`),
      { timeoutMs: 120_000 },
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

    // Gone with the session: the CLI no longer finds a DLQ, and says why.
    expect(existsSync(sessionFile)).toBe(false);
    const after = tributary(['dlq', 'ls'], cliEnv());
    expect(await after.exited).toEqual({ code: 1, signal: null });
    expect(after.stderr).toBe(
      'tributary: DLQ_API_KEY is not set (DLQ_URL unset, no dev session file; DLQ_API_KEY unset)\n',
    );
  }, 480_000);

  it('leaves no app running when the runner is SIGKILLed, and the CLI calls its session file stale', async () => {
    const runner = await startRunner();
    const apps = appPids(runner.output);
    const session = JSON.parse(readFileSync(sessionFile, 'utf8')) as DevSession;
    // Its whole tree: the apps, the guard, Prometheus when there is one.
    const tree = descendantsOf(runner.pid);
    for (const pid of tree.keys()) pidsSeen.add(pid);

    // The runner, with no chance to stop anything.
    expect(session.pid).toBe(runner.pid);
    process.kill(session.pid, 'SIGKILL');
    await runner.exited;
    await waitFor(() => [...apps.values()].every((pid) => !isRunning(pid)), {
      timeoutMs: 60_000,
      message: `every app (${[...apps].map(([name, pid]) => `${name} ${pid}`).join(', ')}) gone after the runner`,
    });
    await expectAllGone(tree);

    const ls = tributary(['dlq', 'ls'], cliEnv());
    expect(await ls.exited).toEqual({ code: 1, signal: null });
    expect(ls.stderr).toContain(
      `(DLQ_URL unset, dev session file ${sessionFile} is stale: its runner (pid ${session.pid}) is not running; DLQ_API_KEY unset)`,
    );
  }, 480_000);
});

/** Waits until none of `pids` runs, naming the ones left when it gives up. */
async function expectAllGone(pids: ReadonlyMap<number, string>): Promise<void> {
  await waitFor(() => [...pids.keys()].every((pid) => !isRunning(pid)), {
    timeoutMs: 30_000,
    message: `every process gone; left: ${[...pids]
      .filter(([pid]) => isRunning(pid))
      .map(([pid, what]) => `${pid} ${what}`)
      .join('; ')}`,
  });
}

/** The stack's processes as its state file lists them (Postgres is started by pg_ctl: not the runner's child). */
function stackPids(stackDir: string): Map<number, string> {
  const state = JSON.parse(readFileSync(join(stackDir, 'state.json'), 'utf8')) as {
    processes: Array<{ name: string; pid: number }>;
  };
  return new Map(state.processes.map((proc) => [proc.pid, `stack ${proc.name}`]));
}

describe('tributary dev with a stack of its own: a poison record, a signed webhook, and every process gone after', () => {
  let dir: string;
  const runners: NodeProcessHandle[] = [];
  const pidsSeen = new Map<number, string>();
  const withPrometheus = findPrometheus() !== undefined;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tributary-dev-own-'));
  });

  afterAll(() => {
    for (const runner of runners) {
      try {
        process.kill(-runner.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    for (const pid of pidsSeen.keys()) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  /** A runner with nothing of the test's stack in its environment: it starts Kafka, the registry and Postgres. */
  const startOwnRunner = async (name: string) => {
    const stackDir = join(dir, name, 'stack');
    const sessionFile = join(dir, name, 'session.json');
    const prefix = `${uniqueName('devown')}.`;
    const runner = devRunner(['--prefix', prefix, '--no-drift'], {
      KAFKA_BROKERS: undefined,
      SCHEMA_REGISTRY_URL: undefined,
      DATABASE_URL: undefined,
      TRIBUTARY_STACK_SOURCE: undefined,
      TRIBUTARY_STACK_DIR: stackDir,
      TRIBUTARY_DEV_SESSION: sessionFile,
    });
    runners.push(runner);
    await runner.waitForOutput(/ready {2}session /, { timeoutMs: 300_000 });
    await runner.waitForOutput(/^export DATABASE_URL=.*\n/m);
    const session = JSON.parse(readFileSync(sessionFile, 'utf8')) as DevSession;
    // Its own stack, not the test's.
    expect(runner.output).toMatch(/stack {2}kafka \S+ ready in/);
    expect(session.env.KAFKA_BROKERS).not.toBe(process.env.KAFKA_BROKERS);
    // Everything it started: its process tree (the apps, the guard, Prometheus, esbuild) and the stack.
    const pids = new Map([...descendantsOf(runner.pid), ...stackPids(stackDir)]);
    for (const [pid, what] of pids) pidsSeen.set(pid, what);
    const notFound = [...appPids(runner.output)].filter(([, pid]) => !pids.has(pid));
    if (notFound.length > 0) {
      throw new Error(
        `apps not running under the runner: ${notFound.map(([app, pid]) => `${app} ${pid}`).join(', ')}; ` +
          `output:\n${runner.output.slice(-20_000)}`,
      );
    }
    expect([...pids.values()].some((command) => command.includes('dev-guard-process'))).toBe(true);
    if (withPrometheus)
      expect([...pids.values()].some((command) => /prometheus --config\.file=/.test(command))).toBe(true);
    return { runner, session, sessionFile, stackDir, pids, prefix };
  };

  it('prints a poison record as undecodable and goes on, takes a signed webhook of our own, and Ctrl-C stops it all', async () => {
    const { runner, session, sessionFile, stackDir, pids, prefix } = await startOwnRunner('graceful');

    if (withPrometheus) {
      // The dev Prometheus scrapes every app but the simulator, under infra/prometheus's job and labels.
      const [, promUrl] = /ready {2}prometheus (http:\S+)/.exec(runner.output)!;
      // By address: the lag exporter, when the platform runs one, is scraped under its own job.
      const targets = [...runner.output.matchAll(/app {4}(\S+) (?:ready )?on http:\/\/(\S+) /g)]
        .filter(([, app]) => app !== 'provider-sim')
        .map(([, , host]) => host!)
        .sort();
      const up = async () => {
        const query = encodeURIComponent('up{job=~"tributary|kafka-lag"} == 1');
        const answer = (await (await fetch(`${promUrl}/api/v1/query?query=${query}`)).json()) as {
          data: { result: Array<{ metric: { instance: string } }> };
        };
        return answer.data.result.map((series) => series.metric.instance).sort();
      };
      await waitFor(async () => (await up()).join() === targets.join(), {
        timeoutMs: 60_000,
        message: `prometheus scrapes ${targets.join(', ')}`,
      }).catch(async (error: unknown) => {
        throw new Error(`${(error as Error).message}; up: ${(await up()).join(', ')}`);
      });
    } else {
      expect(runner.output).not.toMatch(/ready {2}prometheus/);
    }

    // Raw bytes on a catalogue topic: not the Confluent wire format, as a misconfigured producer writes.
    const topic = `${prefix}payments.payment.v1`;
    const producer = createKafkaClient({
      clientId: 'dev-e2e-poison',
      brokers: session.env.KAFKA_BROKERS!.split(','),
    }).producer();
    await producer.connect();
    const [written] = await producer.send({
      topic,
      messages: [{ key: 'poison', value: Buffer.from('this is not avro') }],
    });
    await producer.disconnect();
    await runner.waitForOutput(
      `kafka  ${topic}[${written!.partition}]@${written!.baseOffset} UNDECODABLE DECODE_BAD_MAGIC_BYTE: first byte is 0x74, not the Confluent magic byte 0x00`,
      { timeoutMs: 60_000 },
    );
    // And the tap goes on: a decoded event printed after it.
    await runner.waitForOutput(/kafka {2}\S+\[\d+\]@\d+ [a-z]+\.[a-z_.]+ subject=\S+ from /, {
      timeoutMs: 60_000,
    });
    expect(runner.output).not.toContain('tap crashed');

    // A webhook of our own per provider, signed now by the CLI with the session's secret, as the runner says.
    expect(runner.output).toContain('npm run -s tributary -- webhooks sign stripe|easypost|hubspot');
    for (const provider of ['stripe', 'easypost', 'hubspot']) {
      const sign = tributary(['webhooks', 'sign', provider], {
        TRIBUTARY_DEV_SESSION: sessionFile,
        INGESTION_URL: undefined,
        [`${provider.toUpperCase()}_WEBHOOK_SECRET`]: undefined,
      });
      expect(await sign.exited).toEqual({ code: 0, signal: null });
      expect(sign.stdout).toContain(`${session.env.INGESTION_URL}/webhooks/${provider}`);
      const { stdout } = await promisify(execFile)('sh', ['-c', sign.stdout]);
      expect(stdout.split('\r\n')[0]).toBe('HTTP/1.1 202 Accepted');
    }

    process.kill(-runner.pid, 'SIGINT');
    expect(await runner.exited).toEqual({ code: 0, signal: null });
    await expectAllGone(pids);
    expect(runner.output).toMatch(/stack {2}kafka: stopped/);
    expect(existsSync(join(stackDir, 'state.json'))).toBe(false);
    // The runner stopped it all itself: the guard had nothing to do.
    expect(runner.output).not.toContain('guard  the dev runner');
  }, 600_000);

  it('leaves nothing behind when the runner dies in the middle of starting its stack (SIGKILL, a crash)', async () => {
    const stackDir = join(dir, 'killed', 'stack');
    const runner = devRunner(['--prefix', `${uniqueName('devown')}.`, '--no-drift'], {
      KAFKA_BROKERS: undefined,
      SCHEMA_REGISTRY_URL: undefined,
      DATABASE_URL: undefined,
      TRIBUTARY_STACK_SOURCE: undefined,
      TRIBUTARY_STACK_DIR: stackDir,
      TRIBUTARY_DEV_SESSION: join(dir, 'killed', 'session.json'),
    });
    runners.push(runner);
    // One component ready, the others still starting: the runner has not yet been told the stack is up.
    await runner.waitForOutput(/stack {2}\S+( [\d.]+)? ready in/, { timeoutMs: 300_000 });
    const pids = new Map([...descendantsOf(runner.pid), ...stackPids(stackDir)]);
    for (const [pid, what] of pids) pidsSeen.set(pid, what);
    expect([...pids.values()].some((command) => command.includes('dev-guard-process'))).toBe(true);
    expect([...pids.values()].filter((what) => what.startsWith('stack ')).length).toBeGreaterThanOrEqual(1);

    process.kill(runner.pid, 'SIGKILL');
    // The guard shares the runner's output, so this waits for the guard too.
    await runner.exited;
    await expectAllGone(pids);
    expect(runner.output).toContain(`guard  the dev runner (pid ${runner.pid}) is gone without stopping`);
    expect(runner.output).toMatch(/guard {2}stopping the stack it started \(\w+\)/);
    expect(existsSync(join(stackDir, 'state.json'))).toBe(false);
  }, 600_000);
});
