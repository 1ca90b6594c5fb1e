import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@tributary/testkit';

export const distMain = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

export interface AppProcess {
  readonly url: string;
  readonly output: () => string;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): Promise<number | null>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => running.forEach((child) => child.kill('SIGKILL')));

/**
 * Runs the built app (`dist/main.js`) as production does: plain node, packages from their dist builds (no
 * `source` condition, no TypeScript loader). `npm test` builds before the integration run.
 */
export async function startAppProcess(env: Record<string, string>): Promise<AppProcess> {
  if (!existsSync(distMain)) throw new Error(`${distMain} is missing: run npm run build first`);
  const child = spawn(process.execPath, [distMain], {
    env: { ...process.env, ...env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<number | null>((resolve) =>
    child.once('close', (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  let done = false;
  void exited.then(() => (done = true));
  const url = await waitFor(
    () => {
      if (done) throw new Error(`ingestion exited during boot:\n${output}`);
      return /"url":"(http:\/\/[^"]+)","msg":"listening"/.exec(output)?.[1];
    },
    { timeoutMs: 60_000, message: 'ingestion listening' },
  ).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n${output.slice(-3000)}`);
  });
  return {
    url: url.replace('0.0.0.0', '127.0.0.1'),
    output: () => output,
    exited,
    kill: (signal) => {
      child.kill(signal);
      return exited;
    },
  };
}
