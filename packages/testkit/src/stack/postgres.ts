import { chownSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { ComponentContext } from './component.js';
import { postgresMarker } from './markers.js';
import { runToCompletion, spawnDetached } from './processes.js';
import { postgresAnswers, waitUntilReady } from './readiness.js';

export const STACK_DATABASE = 'tributary';
export const STACK_SUPERUSER = 'postgres';

/**
 * A throwaway cluster tuned for tests: TCP on loopback only (no Unix socket to collide with the machine's
 * server), trust auth, and durability off, since a test cluster that loses its data in a crash is simply
 * recreated. Connections are generous because every test file opens its own pools.
 */
export function postgresServerArgs(dataDir: string, port: number, marker: string): string[] {
  return [
    '-D',
    dataDir,
    '-p',
    String(port),
    '-c',
    marker,
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'unix_socket_directories=',
    '-c',
    'max_connections=300',
    '-c',
    'fsync=off',
    '-c',
    'synchronous_commit=off',
    '-c',
    'full_page_writes=off',
  ];
}

export function initdbArgs(dataDir: string): string[] {
  return [
    '-D',
    dataDir,
    '-U',
    STACK_SUPERUSER,
    '-A',
    'trust',
    '-E',
    'UTF8',
    '--no-locale',
    '--no-sync',
    '--no-instructions',
  ];
}

export function postgresUrl(port: number, database = STACK_DATABASE): string {
  return `postgres://${STACK_SUPERUSER}@127.0.0.1:${port}/${database}`;
}

export async function startPostgres(ctx: ComponentContext): Promise<void> {
  const { binDir } = ctx.toolchain.postgres;
  const runAs = unprivilegedUser();
  // As root the cluster runs as an unprivileged user, who may not be able to reach into the repository.
  const dataDir = runAs ? join(tmpdir(), `${ctx.tag('postgres')}-data`) : join(ctx.dataDir, 'postgres');
  if (runAs) ctx.ownDataDir(dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (runAs) chownSync(dataDir, runAs.uid, runAs.gid);

  await runToCompletion({
    command: join(binDir, 'initdb'),
    args: initdbArgs(dataDir),
    cwd: '/',
    logFile: ctx.logFile('initdb'),
    ...runAs,
  });

  const marker = postgresMarker(ctx.tag('postgres'));
  const logFile = ctx.logFile('postgres');
  const pid = await spawnDetached({
    command: join(binDir, 'postgres'),
    args: postgresServerArgs(dataDir, ctx.ports.postgres, marker),
    cwd: '/',
    logFile,
    ...runAs,
  });
  const proc = { name: 'postgres' as const, pid, marker, logFile };
  ctx.record(proc);
  const adminUrl = postgresUrl(ctx.ports.postgres, 'postgres');
  await waitUntilReady('PostgreSQL', proc, () => postgresAnswers(adminUrl), 60_000);

  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`create database ${STACK_DATABASE}`);
  } finally {
    await client.end();
  }
}

/** Postgres refuses to run as root; when we are root, the distribution's postgres user (or nobody) runs it. */
export function unprivilegedUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const passwd = readFileSync('/etc/passwd', 'utf8');
  for (const name of ['postgres', 'nobody']) {
    const line = passwd.split('\n').find((l) => l.startsWith(`${name}:`));
    const [, , uid, gid] = line?.split(':') ?? [];
    if (uid !== undefined && gid !== undefined) return { uid: Number(uid), gid: Number(gid) };
  }
  throw new Error('running as root and no postgres or nobody user exists to run PostgreSQL as');
}
