import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';

// The base config, not this package's: tsx applies a tsconfig only to the files it includes, and the
// decorators live in other packages.
const TSCONFIG = fileURLToPath(new URL('../../../tsconfig.base.json', import.meta.url));

/**
 * The repository has no root tsconfig.json, and tsx started from the root without `--tsconfig` compiles
 * decorators the TC39 way, which rejects the parameter decorators of the Nest modules that
 * @tributary/observability (imported by @tributary/kafka) contains. When that is the case, run this same
 * command again with the repository's base tsconfig (legacy decorators) and resolve to the child's exit code;
 * resolve to undefined when this process is fine as it is.
 */
export function relaunchWithTsconfig(): Promise<number> | undefined {
  const underTsx = process.execArgv.some((arg) => arg.includes('tsx'));
  if (!underTsx || process.env.TSX_TSCONFIG_PATH) return undefined;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
      stdio: 'inherit',
      env: { ...process.env, TSX_TSCONFIG_PATH: TSCONFIG },
    });
    // Ctrl-C reaches the child through the terminal's process group: it cleans up and exits, and so do we.
    // A SIGTERM is meant for this process alone and is passed on.
    const ignore = () => undefined;
    const forward = () => child.kill('SIGTERM');
    process.on('SIGINT', ignore);
    process.on('SIGTERM', forward);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', ignore);
      process.off('SIGTERM', forward);
      resolve(code ?? 128 + (signal ? constants.signals[signal] : 0));
    });
  });
}
