import { execFileSync, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, readdirSync } from 'node:fs';
import type { ManagedProcess } from './state-file.js';

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // A zombie answers signal 0 but has already exited.
  return procState(pid) !== 'Z';
}

function procState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return undefined;
  }
}

/** The argv of a running process, or undefined when it is gone or unreadable. */
export function commandLine(pid: number): string[] | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return raw.split('\0').filter((part) => part.length > 0);
  } catch {
    if (process.platform === 'linux') return undefined;
  }
  try {
    // No /proc (macOS): ps joins argv with spaces, which is enough to find a marker without spaces.
    return execFileSync('ps', ['-ww', '-o', 'args=', '-p', String(pid)], { encoding: 'utf8' })
      .trim()
      .split(' ');
  } catch {
    return undefined;
  }
}

/** True only when `pid` is alive and still runs the command we started (its marker is in argv). */
export function isOurProcess(proc: Pick<ManagedProcess, 'pid' | 'marker'>): boolean {
  if (!isAlive(proc.pid)) return false;
  return commandLine(proc.pid)?.includes(proc.marker) ?? false;
}

/** Pids whose argv has an element starting with `prefix`: processes a lost state file no longer lists. */
export function findProcessesByArgPrefix(prefix: string): number[] {
  if (process.platform !== 'linux') return [];
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    if (commandLine(pid)?.some((arg) => arg.startsWith(prefix))) found.push(pid);
  }
  return found;
}

export interface SpawnDetachedOptions {
  command: string;
  args: string[];
  cwd: string;
  logFile: string;
  env?: NodeJS.ProcessEnv;
  uid?: number;
  gid?: number;
}

/**
 * Starts a long-lived service in its own process group with output appended to a log file. It outlives
 * the Node process that started it (`stack:up` exits), which is why stop goes through the recorded pid.
 */
export async function spawnDetached(options: SpawnDetachedOptions): Promise<number> {
  const log = openSync(options.logFile, 'a');
  try {
    const child = spawn(options.command, options.args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: true,
      stdio: ['ignore', log, log],
      ...(options.uid === undefined ? {} : { uid: options.uid }),
      ...(options.gid === undefined ? {} : { gid: options.gid }),
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    child.unref();
    if (child.pid === undefined) throw new Error(`${options.command} did not start`);
    return child.pid;
  } finally {
    closeSync(log);
  }
}

/** Runs a short command to completion with its output in a log file; rejects with the exit code. */
export function runToCompletion(options: SpawnDetachedOptions & { timeoutMs?: number }): Promise<void> {
  const log = openSync(options.logFile, 'a');
  return new Promise<void>((resolve, reject) => {
    const child = spawn(options.command, options.args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', log, log],
      timeout: options.timeoutMs ?? 120_000,
      ...(options.uid === undefined ? {} : { uid: options.uid }),
      ...(options.gid === undefined ? {} : { gid: options.gid }),
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${options.command} exited with ${signal ?? code}; see ${options.logFile}`));
    });
  }).finally(() => closeSync(log));
}

export type StopOutcome = 'stopped' | 'killed' | 'not-running';

/**
 * Stops one recorded process: the graceful signal first, SIGKILL after `graceMs`. A pid whose command line
 * no longer carries the marker is left alone: it is not ours any more.
 */
export async function stopProcess(
  proc: Pick<ManagedProcess, 'pid' | 'marker'>,
  options: { signal?: NodeJS.Signals; graceMs?: number } = {},
): Promise<StopOutcome> {
  if (!isOurProcess(proc)) return 'not-running';
  const graceMs = options.graceMs ?? 15_000;
  try {
    process.kill(proc.pid, options.signal ?? 'SIGTERM');
  } catch {
    return 'not-running';
  }
  if (await waitForExit(proc.pid, graceMs)) return 'stopped';
  if (!isOurProcess(proc)) return 'stopped';
  try {
    process.kill(proc.pid, 'SIGKILL');
  } catch {
    return 'stopped';
  }
  await waitForExit(proc.pid, 5_000);
  return 'killed';
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !isAlive(pid);
}

/** The last lines of a log, for error messages that explain themselves. */
export function tailOfFile(path: string, lines = 30): string {
  try {
    const text = readFileSync(path, 'utf8');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
