import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the stack keeps things. Only this module decides locations, so tests can point them elsewhere. */
export interface StackPaths {
  repoRoot: string;
  /** infra/local: POMs, checksum manifests, logging configs. */
  infraDir: string;
  /** <repo>/.tributary/stack: state file, logs, data dirs (gitignored). */
  stackDir: string;
  /** Downloaded and verified artifacts, shared by every clone on the machine. */
  cacheDir: string;
}

// This module lives in packages/testkit/{src,dist}/stack/, four levels below the repository root.
const defaultRepoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

export function stackPaths(env: NodeJS.ProcessEnv = process.env): StackPaths {
  const repoRoot = defaultRepoRoot;
  return {
    repoRoot,
    infraDir: join(repoRoot, 'infra', 'local'),
    stackDir: env.TRIBUTARY_STACK_DIR
      ? resolve(env.TRIBUTARY_STACK_DIR)
      : join(repoRoot, '.tributary', 'stack'),
    cacheDir: expandHome(env.TRIBUTARY_CACHE_DIR) ?? join(homedir(), '.cache', 'tributary'),
  };
}

function expandHome(path: string | undefined): string | undefined {
  if (!path) return undefined;
  return resolve(path.startsWith('~/') ? join(homedir(), path.slice(2)) : path);
}
