import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The dev session file: `npm run dev` writes the URLs, keys and secrets of its session there, and the CLI
 * falls back on it for every variable the environment does not set. The file is gitignored (`.tributary/`),
 * mode 0600, and removed when the runner stops; a file whose runner is gone is reported stale, never used.
 */

/** Overrides where the session file is, for both the runner and the CLI (a second checkout, tests). */
export const DEV_SESSION_ENV = 'TRIBUTARY_DEV_SESSION';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

export function devSessionPath(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return env[DEV_SESSION_ENV] || join(repoRoot, '.tributary', 'dev', 'session.json');
}

export interface DevSession {
  readonly version: 1;
  /** The runner's pid: a file whose runner is not running is stale. */
  readonly pid: number;
  readonly startedAt: string;
  /** The session as environment variables, in the order the runner prints them as `export` lines. */
  readonly env: Readonly<Record<string, string>>;
  /** The schema of ingestion's tables (api_keys) in the session's DATABASE_URL. */
  readonly ingestionDatabaseSchema: string;
  /** Each service's schema in the session's DATABASE_URL, for `tributary api-keys --service`. */
  readonly databaseSchemas?: Readonly<Record<string, string>>;
}

export type DevSessionLookup =
  | { readonly state: 'absent'; readonly path: string }
  | { readonly state: 'live'; readonly path: string; readonly session: DevSession }
  | { readonly state: 'stale'; readonly path: string; readonly session: DevSession }
  | { readonly state: 'unreadable'; readonly path: string; readonly error: string };

/** Written to a temporary file and renamed, so a reader never sees half a session. */
export function writeDevSession(path: string, session: DevSession): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(session, null, 2)}\n`, { mode: 0o600 });
  // `mode` applies only when the file is created; a leftover temporary file keeps its own.
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}

/** Removes the file if it is still the one this runner wrote (another session may have replaced it). */
export function removeDevSession(path: string, pid: number = process.pid): void {
  const found = readDevSession(path, () => true);
  if (found.state === 'live' && found.session.pid !== pid) return;
  if (found.state === 'absent') return;
  rmSync(path, { force: true });
}

export function readDevSession(
  path: string,
  isRunning: (pid: number) => boolean = processIsRunning,
): DevSessionLookup {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'absent', path };
    return { state: 'unreadable', path, error: (error as Error).message };
  }
  let session: DevSession;
  try {
    session = JSON.parse(text) as DevSession;
  } catch (error) {
    return { state: 'unreadable', path, error: `not JSON: ${(error as Error).message}` };
  }
  if (
    session?.version !== 1 ||
    !Number.isInteger(session.pid) ||
    typeof session.env !== 'object' ||
    session.env === null
  ) {
    return { state: 'unreadable', path, error: 'not a version 1 dev session' };
  }
  return { state: isRunning(session.pid) ? 'live' : 'stale', path, session };
}

export function processIsRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, owned by someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Where a variable's value came from, for error messages. */
export type SettingSource = 'env' | 'session' | 'unset';

export interface Setting {
  readonly value: string | undefined;
  readonly source: SettingSource;
}

/** The environment's value when set (even to ''), else a live session's, else unset. */
export function setting(
  name: string,
  env: Readonly<Record<string, string | undefined>>,
  lookup: DevSessionLookup,
): Setting {
  const given = env[name];
  if (given !== undefined) return { value: given, source: 'env' };
  const fromSession = lookup.state === 'live' ? lookup.session.env[name] : undefined;
  if (fromSession !== undefined) return { value: fromSession, source: 'session' };
  return { value: undefined, source: 'unset' };
}

/**
 * The environment with the variables it lacks filled in from a live session. DATABASE_SCHEMA defaults to
 * the service's schema (ingestion's unless named) when the database is the session's: `tributary
 * api-keys` then manages the keys of the service that `npm run dev` runs.
 */
export function envWithDevSession(
  env: Readonly<Record<string, string | undefined>>,
  lookup: DevSessionLookup,
  service = 'ingestion',
): Record<string, string | undefined> {
  if (lookup.state !== 'live') return { ...env };
  const merged: Record<string, string | undefined> = { ...lookup.session.env, ...env };
  if (merged.DATABASE_SCHEMA === undefined && merged.DATABASE_URL === lookup.session.env.DATABASE_URL) {
    merged.DATABASE_SCHEMA =
      lookup.session.databaseSchemas?.[service] ??
      (service === 'ingestion' ? lookup.session.ingestionDatabaseSchema : undefined);
  }
  return merged;
}

/** What the CLI knows about the session file, for the end of an error message. */
export function describeLookup(lookup: DevSessionLookup): string {
  const where = displayPath(lookup.path);
  switch (lookup.state) {
    case 'absent':
      return 'no dev session file';
    case 'live':
      return `dev session file ${where}, runner pid ${lookup.session.pid} started ${lookup.session.startedAt}`;
    case 'stale':
      return `dev session file ${where} is stale: its runner (pid ${lookup.session.pid}) is not running`;
    case 'unreadable':
      return `dev session file ${where} unreadable: ${lookup.error}`;
  }
}

/** `export NAME=value` lines a shell can take as they are. */
export function exportLines(env: Readonly<Record<string, string>>): string[] {
  return Object.entries(env).map(([name, value]) => `export ${name}=${shellQuote(value)}`);
}

function shellQuote(value: string): string {
  return /^[\w./:@,+=%-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

/** Relative to the working directory when it is inside it: shorter, and what the user typed. */
export function displayPath(path: string): string {
  const fromCwd = relative(process.cwd(), path);
  return fromCwd && !fromCwd.startsWith('..') && !isAbsolute(fromCwd) ? fromCwd : path;
}
