import {
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type { StackEndpoints } from './endpoints.js';
import { StackErrorCode, stackError } from './errors.js';

export type ComponentName = 'kafka' | 'registry' | 'postgres';

/** A process the stack started. `marker` is one argv element only that process carries: before any
 * signal is sent, the live command line must still contain it, so a recycled pid is never touched. */
export interface ManagedProcess {
  name: ComponentName;
  pid: number;
  marker: string;
  logFile: string;
}

export interface StackState {
  format: 1;
  id: string;
  status: 'starting' | 'ready';
  createdAt: string;
  /** 'cli' stacks live until `stack:down`; 'jest' stacks stop when their last lease is released. */
  owner: { kind: 'cli' | 'jest'; pid: number };
  /** Pids of processes (jest runs) currently using the stack. */
  leases: number[];
  endpoints: StackEndpoints;
  versions: { kafka: string; apicurio: string; postgres: string };
  ports: { kafka: number; kafkaController: number; registry: number; postgres: number };
  dataDirs: string[];
  logs: Record<ComponentName, string>;
  processes: ManagedProcess[];
}

export function stateFilePath(stackDir: string): string {
  return join(stackDir, 'state.json');
}

/** Returns undefined when there is no state or it is unreadable: either way nothing can be trusted to it. */
export function parseState(text: string): StackState | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(value) || value.format !== 1 || typeof value.id !== 'string') return undefined;
  if (!Array.isArray(value.processes) || !value.processes.every(isManagedProcess)) return undefined;
  if (!Array.isArray(value.leases) || !Array.isArray(value.dataDirs)) return undefined;
  if (!isRecord(value.endpoints) || !isRecord(value.owner)) return undefined;
  return value as unknown as StackState;
}

export function readState(stackDir: string): StackState | undefined {
  try {
    return parseState(readFileSync(stateFilePath(stackDir), 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Written through a rename so a reader (stack:status, a second jest run) never sees half a file. */
export function writeState(stackDir: string, state: StackState): void {
  mkdirSync(stackDir, { recursive: true });
  const file = stateFilePath(stackDir);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, file);
}

export function removeState(stackDir: string): void {
  rmSync(stateFilePath(stackDir), { force: true });
}

/**
 * Serializes up/down/lease changes between processes (two jest runs, a CLI call) with an exclusive lock
 * file holding the owner's pid. A lock whose owner died is taken over.
 */
export async function withStackLock<T>(
  stackDir: string,
  fn: () => Promise<T>,
  options: { timeoutMs?: number; isAlive: (pid: number) => boolean },
): Promise<T> {
  mkdirSync(stackDir, { recursive: true });
  const lockFile = join(stackDir, 'lock');
  const deadline = Date.now() + (options.timeoutMs ?? 10 * 60_000);
  for (;;) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number.parseInt(safeRead(lockFile), 10);
      // An empty file is a lock being written right now, unless it has been empty for a while.
      const stale = Number.isInteger(holder) ? !options.isAlive(holder) : ageMs(lockFile) > 5_000;
      if (stale) {
        rmSync(lockFile, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw stackError(
          StackErrorCode.lockTimeout,
          `Another process (pid ${holder}) has held ${lockFile} for too long; if it is stuck, stop it.`,
        );
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lockFile, { force: true });
  }
}

function ageMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isManagedProcess(value: unknown): value is ManagedProcess {
  return (
    isRecord(value) &&
    typeof value.name === 'string' &&
    Number.isInteger(value.pid) &&
    (value.pid as number) > 0 &&
    typeof value.marker === 'string' &&
    value.marker.length > 0 &&
    typeof value.logFile === 'string'
  );
}
