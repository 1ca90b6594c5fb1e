import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { acquireStack, endpointsToEnv } from '@tributary/testkit';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const benchScript = `${repoRoot}apps/ingestion/bench/ingestion.bench.ts`;

/**
 * The ingestion benchmark lives with its app (it drives the built app and a bare-server baseline as
 * processes); a package never imports an app, so this runs it as a process on the same stack.
 */
export async function runIngestion(log: (line: string) => void): Promise<number> {
  log('building the apps (turbo caches unchanged ones)');
  const build = spawnSync(
    'npx',
    ['turbo', 'run', 'build', '--filter=@tributary/ingestion...', '--output-logs=errors-only'],
    {
      cwd: repoRoot,
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  if (build.status !== 0) throw new Error('the ingestion build failed');
  const stack = await acquireStack({ log });
  try {
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const child = spawn(process.execPath, ['--import', tsx, '--conditions=source', benchScript], {
      cwd: repoRoot,
      env: {
        ...process.env,
        ...endpointsToEnv(stack.endpoints),
        TSX_TSCONFIG_PATH: `${repoRoot}tsconfig.base.json`,
      },
      stdio: 'inherit',
    });
    const [code] = (await once(child, 'exit')) as [number | null];
    return code ?? 1;
  } finally {
    await stack.release();
  }
}
