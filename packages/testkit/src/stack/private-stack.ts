import { mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { StackEndpoints } from './endpoints.js';
import { StackErrorCode, stackError } from './errors.js';
import { downLocalStack, upLocalStack } from './local-stack.js';
import { stackPaths } from './paths.js';
import { commandLine, isOurProcess, spawnDetached, stopProcess } from './processes.js';
import { kafkaAnswers, postgresAnswers, waitUntilReady } from './readiness.js';
import { readState, writeState } from './state-file.js';
import type { ComponentName, ManagedProcess } from './state-file.js';

/**
 * A local stack of its own (own stack directory, ports and data) for a run that stops its broker or restarts
 * its database on purpose: the shared stack the other test files use is never touched.
 */
export interface PrivateStack {
  readonly endpoints: StackEndpoints;
  /** The broker stops: SIGTERM is a controlled shutdown, SIGKILL a crash (the log is recovered on start). */
  stopKafka(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Starts the broker again with the same command line: same ports, same log directory, same data. */
  startKafka(): Promise<void>;
  /** Postgres' fast shutdown (open sessions are cut), then a start on the same data directory and port. */
  restartPostgres(): Promise<void>;
  /** The pid of a component as it runs now. */
  pidOf(component: ComponentName): number;
  /** Stops everything and removes its data. */
  down(): Promise<void>;
}

interface Launch {
  readonly command: string;
  readonly args: string[];
  readonly cwd: string;
  readonly uid: number;
  readonly gid: number;
}

/**
 * Starts Kafka, the registry and Postgres as a new local stack under a directory of its own (as `stack:up`
 * does, docs/architecture.md#local-stack), even while the shared one runs.
 */
export async function startPrivateStack(
  options: { log?: (line: string) => void; kafkaVersion?: string } = {},
): Promise<PrivateStack> {
  const base = stackPaths();
  const log = options.log ?? (() => undefined);
  mkdirSync(join(base.repoRoot, '.tributary'), { recursive: true });
  await reapOrphans(join(base.repoRoot, '.tributary'), base, log);
  const stackDir = mkdtempSync(join(base.repoRoot, '.tributary', `${PREFIX}`));
  const paths = { ...base, stackDir };
  const { state } = await upLocalStack({
    owner: 'cli',
    paths,
    log,
    ...(options.kafkaVersion ? { kafkaVersion: options.kafkaVersion } : {}),
  });
  const current = (name: ComponentName): ManagedProcess => {
    const proc = readState(stackDir)?.processes.find((p) => p.name === name);
    if (!proc) throw stackError(StackErrorCode.startFailed, `the private stack has no ${name} process`);
    return proc;
  };
  // Read from the live processes once, while they run: a restart repeats exactly what the start ran.
  let launches: Map<ComponentName, Launch>;
  try {
    launches = new Map((['kafka', 'postgres'] as const).map((name) => [name, launchOf(current(name))]));
  } catch (error) {
    // Started but not usable: nothing would stop it (its owner, this process, is alive), so stop it here.
    await downLocalStack({ paths, log });
    rmSync(stackDir, { recursive: true, force: true });
    throw error;
  }

  const stop = async (name: ComponentName, signal: NodeJS.Signals) => {
    const outcome = await stopProcess(current(name), { signal, graceMs: 30_000 });
    log(`${name}: ${outcome} (${signal})`);
  };
  const start = async (name: ComponentName, probe: () => Promise<boolean>) => {
    const proc = current(name);
    if (isOurProcess(proc)) return;
    const launch = launches.get(name)!;
    const pid = await spawnDetached({ ...launch, logFile: proc.logFile });
    // Recorded at once, so `down` (or a later `stack:down` of this directory) stops the new process.
    const next = readState(stackDir)!;
    next.processes = next.processes.map((p) => (p.name === name ? { ...p, pid } : p));
    writeState(stackDir, next);
    await waitUntilReady(name, { ...proc, pid }, probe, 120_000);
    log(`${name}: started again (pid ${pid})`);
  };
  const kafkaProbe = () => kafkaAnswers(state.endpoints.kafka.brokers);
  const postgresProbe = () => postgresAnswers(state.endpoints.postgres.url);

  return {
    endpoints: state.endpoints,
    stopKafka: (signal = 'SIGTERM') => stop('kafka', signal),
    startKafka: () => start('kafka', kafkaProbe),
    async restartPostgres() {
      // SIGINT is Postgres' fast shutdown: sessions are cut, the data is consistent on the next start.
      await stop('postgres', 'SIGINT');
      await start('postgres', postgresProbe);
    },
    pidOf: (name) => current(name).pid,
    async down() {
      await downLocalStack({ paths, log });
      rmSync(stackDir, { recursive: true, force: true });
    },
  };
}

const PREFIX = 'private-stack-';

/**
 * Private stacks whose owner died without `down()` (a killed bench, a crashed test): stopped and removed, so
 * a broker, a registry and a database do not outlive the run that wanted them.
 */
async function reapOrphans(
  parent: string,
  base: ReturnType<typeof stackPaths>,
  log: (line: string) => void,
): Promise<void> {
  for (const entry of readdirSync(parent, { withFileTypes: true })) {
    if (!entry.isDirectory() || !entry.name.startsWith(PREFIX)) continue;
    const stackDir = join(parent, entry.name);
    // No state yet: another run may be starting it right now.
    const owner = readState(stackDir)?.owner.pid;
    if (owner === undefined || isAlive(owner)) continue;
    log(`reaping ${entry.name}: its owner (pid ${owner}) is gone`);
    await downLocalStack({ paths: { ...base, stackDir }, log });
    rmSync(stackDir, { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function launchOf(proc: ManagedProcess): Launch {
  const argv = commandLine(proc.pid);
  if (!argv?.includes(proc.marker)) {
    throw stackError(StackErrorCode.startFailed, `${proc.name} (pid ${proc.pid}) is not running`);
  }
  const status = readFileSync(`/proc/${proc.pid}/status`, 'utf8');
  // `Uid:\treal\teffective\t…`: Postgres runs as an unprivileged user when the stack was started as root.
  const id = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1]);
  return {
    command: argv[0]!,
    args: argv.slice(1),
    cwd: readlinkSync(`/proc/${proc.pid}/cwd`),
    uid: id('Uid'),
    gid: id('Gid'),
  };
}
