import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { waitFor } from './wait-for.js';

export interface NodeProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface NodeProcessHandle {
  readonly pid: number;
  /** Everything written so far. */
  readonly stdout: string;
  readonly stderr: string;
  /** stdout and stderr interleaved in arrival order. */
  readonly output: string;
  /**
   * Resolves with the first match of `pattern` in the output after the previous successful wait, so
   * consecutive waits for the same line see consecutive occurrences. Rejects when the process exits
   * first or the timeout passes, quoting the output.
   */
  waitForOutput(pattern: RegExp | string, options?: { timeoutMs?: number }): Promise<RegExpMatchArray>;
  /** Sends `signal` (SIGTERM by default) and resolves once the process has exited. */
  kill(signal?: NodeJS.Signals): Promise<NodeProcessExit>;
  readonly exited: Promise<NodeProcessExit>;
}

export interface SpawnNodeProcessOptions {
  /** Added to this process's environment (which carries the stack's connection details). */
  env?: Record<string, string | undefined>;
  args?: string[];
  cwd?: string;
  /**
   * Default true: run through tsx with the `source` condition. Pass false for a built app (`dist/main.js`):
   * tsx does not emit decorator metadata, so a Nest app must run from its tsc build and its packages' builds.
   */
  loader?: boolean;
  /** Called with each chunk of stdout and stderr as it arrives (a dev runner echoing an app's logs). */
  onOutput?: (chunk: string) => void;
  /**
   * Its own process group (and session). A terminal's Ctrl-C signals the whole foreground group; a runner
   * that stops its children itself keeps them out of it, or each child gets the terminal's SIGINT and the
   * runner's SIGTERM, which a Nest app takes as "second signal, exit now".
   */
  detached?: boolean;
  /**
   * The child sends itself SIGTERM when this process dies, however it dies (SIGKILL included): its stdin is
   * a pipe from this process, and the kernel closes that pipe when this process goes. A process that keeps
   * running after its parent (and, when detached, is out of reach of the terminal) would hold its ports and
   * consumer groups until someone finds it.
   */
  stopWithParent?: boolean;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

// Preloaded into a child started with stopWithParent. Unref'd, so it never keeps the child alive by itself;
// a read error is the same news as the end of the pipe.
const stopWithParentPreload = `data:text/javascript,${encodeURIComponent(
  "const stop=()=>process.kill(process.pid,'SIGTERM');process.stdin.once('end',stop).once('error',stop).resume().unref();",
)}`;

// tsx is resolved from this package, so a script runs the same whatever the test's working directory.
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
// tsx looks for tsconfig.json in the working directory; the repo keeps its compiler options (legacy
// decorators among them) in tsconfig.base.json.
const repoTsconfig = fileURLToPath(new URL('../../../../tsconfig.base.json', import.meta.url));

/**
 * Runs a TypeScript (or JavaScript) file in a separate Node process the way the repo's apps run in
 * development: tsx for TypeScript, the `source` condition so workspace packages load from src. Tests use
 * it to SIGKILL a relay or consumer mid-work and start it again.
 */
export function spawnNodeProcess(
  scriptPath: string,
  options: SpawnNodeProcessOptions = {},
): NodeProcessHandle {
  const child = spawn(
    process.execPath,
    [
      ...(options.stopWithParent ? ['--import', stopWithParentPreload] : []),
      ...(options.loader === false ? [] : ['--import', tsxLoader, '--conditions=source']),
      scriptPath,
      ...(options.args ?? []),
    ],
    {
      cwd: options.cwd ?? process.cwd(),
      env: { TSX_TSCONFIG_PATH: repoTsconfig, ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: options.detached ?? false,
    },
  );
  if (child.pid === undefined) throw new Error(`could not start node for ${scriptPath}`);
  track(child);
  // Held open, the pipe tells a stopWithParent child that this process is alive; otherwise at its end.
  // Nothing is written to it, so an error (the child gone first) has nothing to report.
  child.stdin.on('error', () => undefined);
  if (!options.stopWithParent) child.stdin.end();

  let stdout = '';
  let stderr = '';
  let output = '';
  let cursor = 0;
  const listeners = new Set<() => void>();
  const notify = () => listeners.forEach((listener) => listener());
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    output += chunk;
    options.onOutput?.(chunk);
    notify();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    output += chunk;
    options.onOutput?.(chunk);
    notify();
  });

  let hasExited = false;
  const exited = new Promise<NodeProcessExit>((resolve) => {
    // 'close' rather than 'exit': by then both pipes are drained, so the output is complete.
    child.once('close', (code, signal) => {
      running.delete(child);
      hasExited = true;
      resolve({ code, signal });
      notify();
    });
  });

  const waitForOutput = (pattern: RegExp | string, { timeoutMs = 30_000 } = {}) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const regex =
        typeof pattern === 'string'
          ? new RegExp(escapeRegExp(pattern))
          : new RegExp(pattern.source, pattern.flags.replace('g', ''));
      const done = (finish: () => void) => {
        listeners.delete(check);
        clearTimeout(timer);
        finish();
      };
      const check = () => {
        const match = regex.exec(output.slice(cursor));
        if (match) {
          cursor += (match.index ?? 0) + match[0].length;
          done(() => resolve(match));
        } else if (hasExited) {
          done(() => reject(new Error(`${scriptPath} exited before printing ${regex}; output:\n${output}`)));
        }
      };
      const timer = setTimeout(
        () =>
          done(() =>
            reject(
              new Error(`${scriptPath} did not print ${regex} within ${timeoutMs} ms; output:\n${output}`),
            ),
          ),
        timeoutMs,
      );
      listeners.add(check);
      check();
    });

  return {
    pid: child.pid,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    get output() {
      return output;
    },
    waitForOutput,
    kill: async (signal = 'SIGTERM') => {
      if (!hasExited) child.kill(signal);
      return exited;
    },
    exited,
  };
}

function track(child: ChildProcess): void {
  running.add(child);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A test that fails before killing its child must not leave it running after the worker exits.
  process.once('exit', () => {
    for (const c of running) c.kill('SIGKILL');
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Starts a built app (`dist/main.js`, no tsx: Nest needs tsc's decorator metadata) and resolves once its
 * readiness URL answers 2xx. Rejects with the app's output if it exits first or is not ready in time.
 */
export async function startBuiltApp(
  mainJs: string,
  options: {
    env: Record<string, string | undefined>;
    readyUrl: string;
    name: string;
    timeoutMs?: number;
    onOutput?: (chunk: string) => void;
    detached?: boolean;
    stopWithParent?: boolean;
  },
): Promise<NodeProcessHandle> {
  const app = spawnNodeProcess(mainJs, {
    env: options.env,
    loader: false,
    ...(options.onOutput ? { onOutput: options.onOutput } : {}),
    detached: options.detached ?? false,
    stopWithParent: options.stopWithParent ?? false,
  });
  let exited = false;
  void app.exited.then(() => (exited = true));
  try {
    await waitFor(
      async () => {
        if (exited) throw new Error(`${options.name} exited early:\n${app.output}`);
        return fetch(options.readyUrl).then(
          (response) => response.ok,
          () => false,
        );
      },
      { timeoutMs: options.timeoutMs ?? 60_000, message: `${options.name} ready` },
    );
  } catch (error) {
    // Never leave a half-started app behind a failed test.
    await app.kill('SIGKILL');
    throw error;
  }
  return app;
}
