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
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

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
      ...(options.loader === false ? [] : ['--import', tsxLoader, '--conditions=source']),
      scriptPath,
      ...(options.args ?? []),
    ],
    {
      cwd: options.cwd ?? process.cwd(),
      env: { TSX_TSCONFIG_PATH: repoTsconfig, ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  if (child.pid === undefined) throw new Error(`could not start node for ${scriptPath}`);
  track(child);

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
  },
): Promise<NodeProcessHandle> {
  const app = spawnNodeProcess(mainJs, {
    env: options.env,
    loader: false,
    ...(options.onOutput ? { onOutput: options.onOutput } : {}),
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
