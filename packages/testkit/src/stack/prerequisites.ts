import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { StackErrorCode, stackError } from './errors.js';

const execFileAsync = promisify(execFile);

export interface Toolchain {
  java: string;
  /** Only needed when artifacts are not cached yet. */
  mvn?: string;
  postgres: { binDir: string; version: string };
}

interface Missing {
  what: string;
  apt: string;
  brew: string;
}

export const JAVA: Missing = { what: 'java 17+', apt: 'openjdk-17-jre-headless', brew: 'openjdk@17' };
export const MAVEN: Missing = { what: 'mvn (Apache Maven)', apt: 'maven', brew: 'maven' };
const POSTGRES: Missing = {
  what: 'PostgreSQL server binaries (initdb, postgres)',
  apt: 'postgresql',
  brew: 'postgresql@17',
};

/**
 * Finds java, mvn and the PostgreSQL binaries, or fails with one message that names everything missing
 * and the exact install command, so a fresh machine needs one round trip.
 */
export async function findToolchain(
  options: { needMaven: boolean },
  env: NodeJS.ProcessEnv = process.env,
): Promise<Toolchain> {
  const missing: Missing[] = [];
  const notes: string[] = [];

  const java =
    env.JAVA_HOME && isExecutable(join(env.JAVA_HOME, 'bin', 'java'))
      ? join(env.JAVA_HOME, 'bin', 'java')
      : which('java', env);
  if (!java) missing.push(JAVA);
  else {
    const major = await javaMajorVersion(java);
    if (major !== undefined && major < 17) {
      missing.push(JAVA);
      notes.push(`${java} is Java ${major}; Kafka 4 and Apicurio 3 need 17 or newer (set JAVA_HOME).`);
    }
  }

  const mvn = which('mvn', env);
  if (options.needMaven && !mvn) missing.push(MAVEN);

  const postgres = findPostgresBin(env);
  if (!postgres) missing.push(POSTGRES);

  if (missing.length > 0 || !java || !postgres) {
    throw stackError(StackErrorCode.prerequisiteMissing, installMessage(missing, notes));
  }
  return { java, ...(mvn ? { mvn } : {}), postgres };
}

/** JAVA_HOME's java when set, else the one on PATH. */
export function findJava(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const fromHome = env.JAVA_HOME ? join(env.JAVA_HOME, 'bin', 'java') : undefined;
  return fromHome && isExecutable(fromHome) ? fromHome : which('java', env);
}

export function installMessage(
  missing: { what: string; apt: string; brew: string }[],
  notes: string[] = [],
): string {
  const lines = [
    `The local stack needs: ${missing.map((m) => m.what).join(', ')}.`,
    `  Debian/Ubuntu: apt-get install -y ${missing.map((m) => m.apt).join(' ')}`,
    `  macOS:         brew install ${missing.map((m) => m.brew).join(' ')}`,
    ...notes,
    'Or point the tests at running services with KAFKA_BROKERS, SCHEMA_REGISTRY_URL and DATABASE_URL.',
  ];
  return lines.join('\n');
}

/** The newest server from the distribution layout (/usr/lib/postgresql/<major>/bin), else initdb on PATH. */
export function findPostgresBin(
  env: NodeJS.ProcessEnv = process.env,
): { binDir: string; version: string } | undefined {
  const explicit = env.TRIBUTARY_PG_BIN;
  if (explicit && isExecutable(join(explicit, 'initdb'))) return { binDir: explicit, version: 'unknown' };
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const majors = readdirSync(root)
      .filter(
        (v) =>
          /^\d+$/.test(v) &&
          isExecutable(join(root, v, 'bin', 'initdb')) &&
          isExecutable(join(root, v, 'bin', 'postgres')),
      )
      .sort((a, b) => Number(b) - Number(a));
    if (majors[0]) return { binDir: join(root, majors[0], 'bin'), version: majors[0] };
  }
  const initdb = which('initdb', env);
  if (initdb && isExecutable(join(initdb, '..', 'postgres')))
    return { binDir: join(initdb, '..'), version: 'unknown' };
  return undefined;
}

export function which(command: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, command);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function javaMajorVersion(java: string): Promise<number | undefined> {
  try {
    const { stderr } = await execFileAsync(java, ['-version']);
    return parseJavaMajor(stderr);
  } catch {
    return undefined;
  }
}

/** `openjdk version "17.0.15"` -> 17; the pre-9 scheme `"1.8.0_392"` -> 8. */
export function parseJavaMajor(versionOutput: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!match) return undefined;
  const first = Number(match[1]);
  return first === 1 && match[2] !== undefined ? Number(match[2]) : first;
}
