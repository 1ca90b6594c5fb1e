import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { waitFor } from './wait-for.js';

/** A server process a test started: its output so far, and a stop that waits for it to exit. */
export interface ExternalProcess {
  readonly child: ChildProcess;
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
  stop(graceMs?: number): Promise<void>;
  /** Rejects when the process exits or cannot be spawned: race it against a readiness wait. */
  readonly failed: Promise<never>;
}

/**
 * Spawns a server binary for a test (ZooKeeper, Burrow) with its output kept for error messages. A binary
 * that is not there fails with `missing`, which says how to install it: tests never skip for it.
 */
export function startExternalProcess(
  name: string,
  command: string,
  args: readonly string[],
  options: {
    cwd?: string;
    env?: NodeJS.ProcessEnv;
    missing: string;
    /** Its own process group, so a terminal's Ctrl-C reaches only whoever started it. */
    detached?: boolean;
  },
): ExternalProcess {
  const child = spawn(command, [...args], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached ?? false,
  });
  let output = '';
  // The last 64 KiB is enough to say why a server failed; a chatty one must not grow the test's memory.
  const keep = (chunk: unknown) => (output = (output + String(chunk)).slice(-65_536));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (error) =>
      reject(new Error(`cannot run ${name} (${error.message}): ${options.missing}`)),
    );
    child.once('exit', (code, signal) =>
      reject(new Error(`${name} exited (${signal ?? code}) while the test needed it:\n${output}`)),
    );
  });
  // Nobody may be racing `failed` once the test is done with the process: an unobserved rejection would
  // fail the run.
  failed.catch(() => undefined);
  return {
    child,
    output: () => output,
    failed,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Waits until `ready` answers true, racing the process's exit. Resolves with a stop that ends the process
 * and removes its working directory; on any failure to get ready, stops it the same way and rethrows.
 */
export async function whenReady(
  server: ExternalProcess,
  options: { description: string; ready: () => Promise<boolean>; timeoutMs: number; dir: string },
): Promise<() => Promise<void>> {
  const stop = async () => {
    await server.stop();
    rmSync(options.dir, { recursive: true, force: true });
  };
  try {
    await Promise.race([
      server.failed,
      waitFor(options.description, options.ready, { timeoutMs: options.timeoutMs, intervalMs: 200 }),
    ]);
  } catch (error) {
    await stop();
    throw error;
  }
  return stop;
}
