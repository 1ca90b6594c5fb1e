import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { apicurioArtifacts, ensureArtifacts, isInstalled, kafkaArtifacts } from './artifacts.js';
import type { ComponentContext } from './component.js';
import type { StackEndpoints } from './endpoints.js';
import { StackErrorCode, stackError } from './errors.js';
import { startKafka } from './kafka.js';
import { orphanMarkerPrefixes, stackTagPrefix } from './markers.js';
import { stackPaths } from './paths.js';
import type { StackPaths } from './paths.js';
import { pickFreePorts } from './ports.js';
import { postgresUrl, startPostgres } from './postgres.js';
import { findToolchain } from './prerequisites.js';
import { commandLine, findProcessesByArgPrefix, isAlive, isOurProcess, stopProcess } from './processes.js';
import type { StopOutcome } from './processes.js';
import { httpOk, kafkaAnswers, postgresAnswers } from './readiness.js';
import { CCOMPAT_PATH, startRegistry } from './registry.js';
import { readState, removeState, withStackLock, writeState } from './state-file.js';
import type { ComponentName, ManagedProcess, StackState } from './state-file.js';
import { APICURIO_VERSION, resolveKafkaVersion } from './versions.js';
import type { KafkaVersion } from './versions.js';

export interface UpOptions {
  /** Pinned version or minor line; default: TRIBUTARY_KAFKA_VERSION, else 3.9.1. */
  kafkaVersion?: string;
  /** 'cli' keeps the stack until `stack:down`; 'jest' stops it with the last lease. */
  owner: 'cli' | 'jest';
  /** Registers this pid as a user of the stack (jest runs); release with releaseLocalStack. */
  lease?: number;
  log?: (line: string) => void;
  paths?: StackPaths;
}

export interface UpResult {
  state: StackState;
  reused: boolean;
  /** Artifacts had to be fetched with Maven (a cold start). */
  fetched: boolean;
}

const lockOptions = { isAlive };

/**
 * Starts Kafka (KRaft), Apicurio Registry and PostgreSQL as local processes, or reuses the stack this
 * directory already runs. Anything a crashed run left behind (dead pids, half-started components, data
 * directories) is stopped and removed first, so every fresh start begins from empty data.
 */
export async function upLocalStack(options: UpOptions): Promise<UpResult> {
  const paths = options.paths ?? stackPaths();
  const log = options.log ?? (() => undefined);
  const requested = options.kafkaVersion?.trim() ? resolveKafkaVersion(options.kafkaVersion) : undefined;
  return withStackLock(
    paths.stackDir,
    async () => {
      const existing = readState(paths.stackDir);
      if (existing) {
        const components = await probeComponents(existing);
        const healthy =
          existing.status === 'ready' && components.length === 3 && components.every((c) => c.ready);
        const idle = existing.owner.kind === 'jest' && liveLeases(existing).length === 0;
        if (healthy && (!requested || requested === existing.versions.kafka)) {
          const state = adopt(existing, options);
          writeState(paths.stackDir, state);
          log(`reusing the running stack (Kafka ${state.versions.kafka})`);
          return { state, reused: true, fetched: false };
        }
        if (healthy && !idle) {
          throw stackError(
            StackErrorCode.versionConflict,
            `The running stack has Kafka ${existing.versions.kafka}, Kafka ${requested} was asked for; ` +
              'run `npm run stack:down` first.',
          );
        }
        log(healthy ? 'replacing the idle stack' : 'cleaning up what an earlier run left behind');
        await teardown(existing, paths, log);
      }
      await stopOrphans(paths, log);
      return start(
        paths,
        requested ?? resolveKafkaVersion(process.env.TRIBUTARY_KAFKA_VERSION),
        options,
        log,
      );
    },
    lockOptions,
  );
}

/** Stops everything the state file records (after checking each command line) and removes its data. */
export async function downLocalStack(
  options: { log?: (line: string) => void; paths?: StackPaths } = {},
): Promise<{ wasRunning: boolean; outcomes: Partial<Record<ComponentName, StopOutcome>> }> {
  const paths = options.paths ?? stackPaths();
  const log = options.log ?? (() => undefined);
  return withStackLock(
    paths.stackDir,
    async () => {
      const state = readState(paths.stackDir);
      const outcomes = state ? await teardown(state, paths, log) : {};
      await stopOrphans(paths, log);
      return { wasRunning: state !== undefined, outcomes };
    },
    lockOptions,
  );
}

/** Ends one lease; a stack started for tests stops when no live lease remains. */
export async function releaseLocalStack(
  pid: number,
  options: { log?: (line: string) => void; paths?: StackPaths } = {},
): Promise<'stopped' | 'kept' | 'gone'> {
  const paths = options.paths ?? stackPaths();
  const log = options.log ?? (() => undefined);
  return withStackLock(
    paths.stackDir,
    async () => {
      const state = readState(paths.stackDir);
      if (!state) return 'gone';
      state.leases = liveLeases(state).filter((p) => p !== pid);
      if (state.owner.kind === 'jest' && state.leases.length === 0) {
        await teardown(state, paths, log);
        return 'stopped';
      }
      writeState(paths.stackDir, state);
      return 'kept';
    },
    lockOptions,
  );
}

export interface ComponentStatus {
  name: ComponentName;
  pid: number;
  running: boolean;
  ready: boolean;
  logFile: string;
}

export interface StackStatus {
  state: StackState | undefined;
  components: ComponentStatus[];
  healthy: boolean;
}

/** Cheap check (no network): the state file lists processes that are all alive and ours. */
export function localStackRunning(paths: StackPaths = stackPaths()): boolean {
  const state = readState(paths.stackDir);
  return state !== undefined && state.processes.length === 3 && state.processes.every((p) => isOurProcess(p));
}

export async function localStackStatus(paths: StackPaths = stackPaths()): Promise<StackStatus> {
  const state = readState(paths.stackDir);
  if (!state) return { state, components: [], healthy: false };
  const components = await probeComponents(state);
  return { state, components, healthy: components.length === 3 && components.every((c) => c.ready) };
}

async function start(
  paths: StackPaths,
  version: KafkaVersion,
  options: UpOptions,
  log: (line: string) => void,
): Promise<UpResult> {
  const kafkaSet = kafkaArtifacts(version);
  const needMaven = !isInstalled(kafkaSet, paths) || !isInstalled(apicurioArtifacts, paths);
  const toolchain = await findToolchain({ needMaven });

  const id = randomBytes(3).toString('hex');
  const [kafka, kafkaController, registry, postgres] = await pickFreePorts(4);
  const ports = {
    kafka: kafka!,
    kafkaController: kafkaController!,
    registry: registry!,
    postgres: postgres!,
  };
  const dataDir = join(paths.stackDir, 'data', id);
  const logDir = join(paths.stackDir, 'logs');
  mkdirSync(dataDir, { recursive: true });
  mkdirSync(logDir, { recursive: true });

  const endpoints: StackEndpoints = {
    source: 'local',
    kafka: { brokers: [`127.0.0.1:${ports.kafka}`], version },
    registry: { url: `http://127.0.0.1:${ports.registry}${CCOMPAT_PATH}` },
    postgres: { url: postgresUrl(ports.postgres) },
  };
  const logFile = (name: string) => join(logDir, `${name}.log`);
  const state: StackState = {
    format: 1,
    id,
    status: 'starting',
    createdAt: new Date().toISOString(),
    owner: { kind: options.owner, pid: options.lease ?? process.pid },
    leases: options.lease === undefined ? [] : [options.lease],
    endpoints,
    versions: { kafka: version, apicurio: APICURIO_VERSION, postgres: toolchain.postgres.version },
    ports,
    dataDirs: [dataDir],
    logs: { kafka: logFile('kafka'), registry: logFile('registry'), postgres: logFile('postgres') },
    processes: [],
  };
  // Each start gets fresh logs; the previous run's stay readable until this point.
  for (const name of ['kafka', 'kafka-format', 'registry', 'postgres', 'initdb'])
    closeSync(openSync(logFile(name), 'w'));
  writeState(paths.stackDir, state);

  const ctx: ComponentContext = {
    paths,
    toolchain,
    ports,
    dataDir,
    logFile,
    tag: (component) => `${stackTagPrefix(paths.stackDir)}${id}-${component}`,
    ownDataDir: (dir) => {
      state.dataDirs.push(dir);
      writeState(paths.stackDir, state);
    },
    record: (proc: ManagedProcess) => {
      state.processes.push(proc);
      writeState(paths.stackDir, state);
    },
    log,
  };

  let fetched = false;
  const timed = async (name: string, run: () => Promise<void>) => {
    const began = Date.now();
    await run();
    log(`${name} ready in ${((Date.now() - began) / 1000).toFixed(1)} s`);
  };
  const results = await Promise.allSettled([
    timed('postgres', () => startPostgres(ctx)),
    timed(`kafka ${version}`, async () => {
      const installed = await ensureArtifacts(kafkaSet, paths, { mvn: toolchain.mvn, log });
      fetched ||= installed.fetched;
      await startKafka(ctx, version, installed.filesDir);
    }),
    timed(`apicurio ${APICURIO_VERSION}`, async () => {
      const installed = await ensureArtifacts(apicurioArtifacts, paths, { mvn: toolchain.mvn, log });
      fetched ||= installed.fetched;
      await startRegistry(ctx, installed.appDir);
    }),
  ]);
  const failures = results
    .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
    .map((r) => r.reason as Error);
  if (failures.length > 0) {
    await teardown(state, paths, log);
    const [first, ...rest] = failures;
    if (rest.length > 0) first!.message += rest.map((e) => `\n--- also: ${e.message}`).join('');
    throw first;
  }
  state.status = 'ready';
  writeState(paths.stackDir, state);
  return { state, reused: false, fetched };
}

function adopt(existing: StackState, options: UpOptions): StackState {
  const leases = liveLeases(existing);
  if (options.lease !== undefined && !leases.includes(options.lease)) leases.push(options.lease);
  // An explicit `stack:up` turns a test-run stack into one that stays until `stack:down`.
  const owner = options.owner === 'cli' ? { kind: 'cli' as const, pid: process.pid } : existing.owner;
  return { ...existing, leases, owner };
}

function liveLeases(state: StackState): number[] {
  return state.leases.filter((pid) => isAlive(pid));
}

async function teardown(
  state: StackState,
  paths: StackPaths,
  log: (line: string) => void,
): Promise<Partial<Record<ComponentName, StopOutcome>>> {
  // Postgres' fast shutdown is SIGINT; the JVMs shut down cleanly on SIGTERM. The data is thrown away
  // next, so nobody waits long for a graceful end.
  const signalOf = (name: ComponentName): NodeJS.Signals => (name === 'postgres' ? 'SIGINT' : 'SIGTERM');
  const outcomes = await Promise.all(
    state.processes.map(
      async (proc) =>
        [
          proc.name,
          await stopProcess(proc, { signal: signalOf(proc.name), graceMs: graceFor(proc) }),
        ] as const,
    ),
  );
  for (const [name, outcome] of outcomes) if (outcome !== 'not-running') log(`${name}: ${outcome}`);
  for (const dir of state.dataDirs) rmSync(dir, { recursive: true, force: true });
  removeState(paths.stackDir);
  return Object.fromEntries(outcomes);
}

/** A JVM recording its class-data-sharing archive writes it on the way out, which takes a while on a busy
 * machine; killing it then would only mean recording again on the next start. */
function graceFor(proc: ManagedProcess): number {
  const recording =
    commandLine(proc.pid)?.some((arg) => arg.startsWith('-XX:ArchiveClassesAtExit=')) ?? false;
  return recording ? 60_000 : 10_000;
}

/** Processes of this stack directory that no state file lists any more (it was deleted or overwritten). */
async function stopOrphans(paths: StackPaths, log: (line: string) => void): Promise<void> {
  for (const prefix of orphanMarkerPrefixes(paths.stackDir)) {
    for (const pid of findProcessesByArgPrefix(prefix)) {
      const marker = commandLine(pid)?.find((arg) => arg.startsWith(prefix));
      if (!marker) continue;
      const outcome = await stopProcess({ pid, marker }, { graceMs: 5_000 });
      log(`stopped orphaned process ${pid} (${marker}): ${outcome}`);
    }
  }
}

async function probeComponents(state: StackState): Promise<ComponentStatus[]> {
  const probes: Record<ComponentName, () => Promise<boolean>> = {
    kafka: () => kafkaAnswers(state.endpoints.kafka.brokers),
    registry: () => httpOk(`http://127.0.0.1:${state.ports.registry}/health/ready`),
    postgres: () => postgresAnswers(state.endpoints.postgres.url),
  };
  return Promise.all(
    state.processes.map(async (proc) => {
      const running = isOurProcess(proc);
      const ready = running && (await probes[proc.name]().catch(() => false));
      return { name: proc.name, pid: proc.pid, running, ready, logFile: proc.logFile };
    }),
  );
}
