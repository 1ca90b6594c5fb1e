import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { acquireStack, endpointsToEnv } from '@tributary/testkit';
import { goalLine } from '../goals.js';
import { buildWorkspaces, repoRoot } from '../infra/suite-setup.js';
import { ingestionGoals, parseResultLine } from './ingestion/figures.js';
import type { IngestionFigures } from './ingestion/figures.js';

const benchScript = `${repoRoot}apps/ingestion/bench/ingestion.bench.ts`;

/**
 * The ingestion benchmark lives with its app (it drives the built app and a bare-server baseline as
 * processes); a package never imports an app, so this runs it as a process on the same stack. Its stdout
 * goes through, all but its `BENCH_RESULT {...}` line, from which the goal lines are printed at the end.
 */
export async function runIngestion(log: (line: string) => void): Promise<number> {
  log('building the apps (turbo caches unchanged ones)');
  buildWorkspaces(['@tributary/ingestion']);
  const stack = await acquireStack({ log });
  let code: number;
  let figures: IngestionFigures | undefined;
  try {
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const child = spawn(process.execPath, ['--import', tsx, '--conditions=source', benchScript], {
      cwd: repoRoot,
      env: {
        ...process.env,
        ...endpointsToEnv(stack.endpoints),
        TSX_TSCONFIG_PATH: `${repoRoot}tsconfig.base.json`,
      },
      stdio: ['inherit', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: child.stdout!, crlfDelay: Infinity });
    lines.on('line', (line) => {
      const result = parseResultLine(line);
      if (result) figures = result;
      else process.stdout.write(`${line}\n`);
    });
    const closed = once(lines, 'close');
    const [exitCode] = (await once(child, 'exit')) as [number | null];
    await closed;
    code = exitCode ?? 1;
  } finally {
    await stack.release();
  }
  if (code !== 0 && !figures) log(`the ingestion bench exited with ${code} before printing its result`);
  process.stdout.write(`\n${ingestionGoals(figures).map(goalLine).join('\n')}\n`);
  return code;
}
