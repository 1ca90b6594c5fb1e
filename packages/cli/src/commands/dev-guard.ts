import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * The runner's side of the dev guard (`dev-guard-process.ts`): a small process, outside the terminal's
 * process group, that stops what the runner started when the runner dies without stopping it.
 *
 * Why it exists: the stack's processes are detached on purpose (a stack outlives `stack:up`), so only the
 * runner's own stop path ever stopped them. `npm run dev` used to run the runner under tsx's CLI, which
 * relays a Ctrl-C and SIGKILLs the child when it has not acknowledged the signal within ~60 ms (tsx 4's
 * relaySignals): a runner blocked for longer (its output is written synchronously to a pipe or terminal,
 * and a poison record makes every app log a burst of stack traces through it; a loaded machine) died on the
 * spot, and Kafka, the registry and Postgres stayed behind. It now runs under node with tsx's loader (no
 * relay); a SIGKILL, a crash, or a second Ctrl-C during start-up (`process.exit`) still skip the stop path.
 * The guard hears the runner's death as the end of a pipe, which no way of dying skips.
 *
 * Protocol, one line each on the guard's stdin: `stack-before <id|->` (the stack found before start-up),
 * `stack <id>` (the runner started that stack), `pid <pid> <start time> <name> <wait|SIGTERM>` (a process
 * to see gone: `wait` for one that stops itself with the runner, else the signal to send), `done` (the
 * runner stopped everything itself).
 */
export interface DevGuard {
  /** The id of the stack state found before start-up (undefined: none), so a half-started one is known. */
  stackBefore(id: string | undefined): void;
  /** The runner started this stack: the guard stops it if the runner cannot. */
  stack(id: string): void;
  /** A process the runner started that must not outlive it. */
  process(pid: number, name: string, how: 'wait' | NodeJS.Signals): void;
  /** The runner stopped everything itself; the guard exits. */
  done(): void;
}

export type GuardMessage =
  | { readonly kind: 'stack-before'; readonly id: string | undefined }
  | { readonly kind: 'stack'; readonly id: string }
  | {
      readonly kind: 'pid';
      readonly pid: number;
      readonly startTime: string;
      readonly name: string;
      readonly how: 'wait' | NodeJS.Signals;
    }
  | { readonly kind: 'done' };

export function formatGuardMessage(message: GuardMessage): string {
  switch (message.kind) {
    case 'stack-before':
      return `stack-before ${message.id ?? '-'}`;
    case 'stack':
      return `stack ${message.id}`;
    case 'pid':
      return `pid ${message.pid} ${message.startTime} ${message.name} ${message.how}`;
    case 'done':
      return 'done';
  }
}

/** The message of one line, or undefined for a line the guard does not know (ignored). */
export function parseGuardMessage(line: string): GuardMessage | undefined {
  const [kind, ...rest] = line.trim().split(' ');
  if (kind === 'done' && rest.length === 0) return { kind };
  if (kind === 'stack-before' && rest.length === 1)
    return { kind, id: rest[0] === '-' ? undefined : rest[0] };
  if (kind === 'stack' && rest.length === 1) return { kind, id: rest[0]! };
  if (kind === 'pid' && rest.length === 4) {
    const [pid, startTime, name, how] = rest as [string, string, string, string];
    if (!/^\d+$/.test(pid) || !(how === 'wait' || how.startsWith('SIG'))) return undefined;
    return { kind, pid: Number(pid), startTime, name, how: how as 'wait' | NodeJS.Signals };
  }
  return undefined;
}

/**
 * When the process started, in clock ticks since boot (/proc/<pid>/stat, field 22): with the pid, it names
 * one process, so a pid reused by an unrelated process later is never signalled. '-' where there is no /proc.
 */
export function processStartTime(pid: number): string | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return process.platform === 'linux' ? undefined : '-';
  }
  // The command name (field 2) may hold spaces and parentheses; the fields after its last ')' do not.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

/**
 * Whether the stack in the state file now is the runner's to stop: the one it said it started, or one that
 * appeared during its start-up (a runner killed inside upLocalStack never got to say) and names it as owner.
 */
export function guardOwnsStack(
  current: { readonly id: string; readonly ownerPid: number } | undefined,
  told: { readonly started?: string; readonly before?: string | undefined; readonly beforeKnown: boolean },
  runnerPid: number,
): boolean {
  if (!current) return false;
  if (told.started !== undefined) return current.id === told.started;
  return told.beforeKnown && current.id !== told.before && current.ownerPid === runnerPid;
}

/**
 * Starts the guard. A guard that cannot start is reported and the runner goes on without one: it is a
 * safety net, not a part of the platform.
 */
export function startDevGuard(log: (line: string) => void): DevGuard {
  const here = fileURLToPath(import.meta.url);
  const script = here.replace(/dev-guard\.(ts|js)$/, 'dev-guard-process.$1');
  // From source (npm run dev) through tsx like the runner; from the build as plain node.
  const loader = script.endsWith('.ts')
    ? ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href, '--conditions=source']
    : [];
  let send = (_line: string) => undefined as void;
  try {
    const child = spawn(process.execPath, [...loader, script, String(process.pid)], {
      // Out of the terminal's process group: a Ctrl-C is for the runner, and the guard must outlive it.
      detached: true,
      // Its lines go where the runner's go; stdin is the pipe whose end is the news.
      stdio: ['pipe', 'inherit', 'inherit'],
    });
    child.on('error', (error) => log(`guard  not started: ${error.message}`));
    child.stdin.on('error', () => undefined);
    // Neither the child nor the pipe may keep the runner alive once it is done.
    child.unref();
    (child.stdin as unknown as { unref?: () => void }).unref?.();
    send = (line) => {
      if (!child.stdin.destroyed) child.stdin.write(`${line}\n`);
    };
  } catch (error) {
    log(`guard  not started: ${(error as Error).message}`);
  }
  return {
    stackBefore: (id) => send(formatGuardMessage({ kind: 'stack-before', id })),
    stack: (id) => send(formatGuardMessage({ kind: 'stack', id })),
    process: (pid, name, how) => {
      const startTime = processStartTime(pid);
      if (startTime !== undefined) send(formatGuardMessage({ kind: 'pid', pid, startTime, name, how }));
    },
    done: () => send(formatGuardMessage({ kind: 'done' })),
  };
}
