import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEV_SESSION_ENV,
  describeLookup,
  devSessionPath,
  envWithDevSession,
  exportLines,
  readDevSession,
  removeDevSession,
  setting,
  writeDevSession,
} from './dev-session.js';
import type { DevSession } from './dev-session.js';

const session = (pid: number, env: Record<string, string> = {}): DevSession => ({
  version: 1,
  pid,
  startedAt: '2026-11-27T06:00:00.000Z',
  env: {
    DLQ_URL: 'http://127.0.0.1:3102',
    DLQ_API_KEY: 'dev-token',
    KAFKA_BROKERS: '127.0.0.1:19092',
    DATABASE_URL: 'postgres://tributary:pw@127.0.0.1:15432/tributary',
    ...env,
  },
  ingestionDatabaseSchema: 'ingestion',
  databaseSchemas: { ingestion: 'ingestion', 'dlq-handler': 'dlq_handler' },
});

/** The pid of a process that has exited: no runner is behind it. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid!;
}

describe('dev session file', () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'dev-session-'));
    path = join(dir, 'nested', 'session.json');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is written readable by its owner only, and read back as live while its runner runs', () => {
    writeDevSession(path, session(process.pid));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const found = readDevSession(path);
    expect(found.state).toBe('live');
    expect(found.state === 'live' && found.session.env.DLQ_API_KEY).toBe('dev-token');
  });

  it('is stale once its runner is gone, and then lends nothing', () => {
    writeDevSession(path, session(deadPid()));
    const found = readDevSession(path);
    expect(found.state).toBe('stale');
    expect(describeLookup(found)).toMatch(
      /dev session file .*session\.json is stale: its runner \(pid \d+\)/,
    );
    expect(setting('DLQ_URL', {}, found)).toEqual({ value: undefined, source: 'unset' });
    expect(envWithDevSession({ USER: 'me' }, found)).toEqual({ USER: 'me' });
  });

  it('reports a missing file as absent and a damaged one as unreadable', () => {
    expect(readDevSession(path)).toEqual({ state: 'absent', path });
    writeFileSync(join(dir, 'junk.json'), '{"version":');
    const junk = readDevSession(join(dir, 'junk.json'));
    expect(junk.state).toBe('unreadable');
    expect(describeLookup(junk)).toMatch(/unreadable: not JSON/);
    writeFileSync(join(dir, 'other.json'), '{"version":2,"pid":1,"env":{}}');
    expect(readDevSession(join(dir, 'other.json'))).toMatchObject({
      state: 'unreadable',
      error: 'not a version 1 dev session',
    });
  });

  it('gives way to the environment variable by variable, an empty value included', () => {
    const live = { state: 'live' as const, path, session: session(process.pid) };
    expect(setting('DLQ_URL', { DLQ_URL: 'http://dlq:3300' }, live)).toEqual({
      value: 'http://dlq:3300',
      source: 'env',
    });
    expect(setting('DLQ_URL', { DLQ_URL: '' }, live)).toEqual({ value: '', source: 'env' });
    expect(setting('DLQ_URL', {}, live)).toEqual({ value: 'http://127.0.0.1:3102', source: 'session' });
    expect(setting('NOT_IN_SESSION', {}, live)).toEqual({ value: undefined, source: 'unset' });
  });

  it("fills in the environment, with ingestion's schema only for the session's own database", () => {
    const live = { state: 'live' as const, path, session: session(process.pid) };
    const filled = envWithDevSession({ KAFKA_BROKERS: 'kafka:9092' }, live);
    expect(filled.KAFKA_BROKERS).toBe('kafka:9092');
    expect(filled.DATABASE_URL).toBe('postgres://tributary:pw@127.0.0.1:15432/tributary');
    expect(filled.DATABASE_SCHEMA).toBe('ingestion');
    expect(envWithDevSession({ DATABASE_SCHEMA: 'public' }, live).DATABASE_SCHEMA).toBe('public');
    expect(
      envWithDevSession({ DATABASE_URL: 'postgres://elsewhere/db' }, live).DATABASE_SCHEMA,
    ).toBeUndefined();
    // Another service's keys: its own schema in the session's database.
    expect(envWithDevSession({}, live, 'dlq-handler').DATABASE_SCHEMA).toBe('dlq_handler');
  });

  it("is removed by its runner, but not when another runner's session replaced it", () => {
    writeDevSession(path, session(process.pid));
    removeDevSession(path, process.pid + 1);
    expect(readDevSession(path).state).toBe('live');
    removeDevSession(path, process.pid);
    expect(readDevSession(path).state).toBe('absent');
    expect(() => removeDevSession(path, process.pid)).not.toThrow();
  });

  it('lives in the checkout unless TRIBUTARY_DEV_SESSION says where', () => {
    expect(devSessionPath({})).toMatch(/\/\.tributary\/dev\/session\.json$/);
    expect(devSessionPath({ [DEV_SESSION_ENV]: '/tmp/s.json' })).toBe('/tmp/s.json');
  });

  it('prints export lines a shell takes as they are', () => {
    expect(
      exportLines({
        DLQ_URL: 'http://127.0.0.1:3102',
        STRIPE_WEBHOOK_SECRET: 'whsec_ab+c/d=',
        DATABASE_URL: "postgres://u:p'w@h/db?sslmode=disable&x=1",
      }),
    ).toEqual([
      'export DLQ_URL=http://127.0.0.1:3102',
      'export STRIPE_WEBHOOK_SECRET=whsec_ab+c/d=',
      `export DATABASE_URL='postgres://u:p'\\''w@h/db?sslmode=disable&x=1'`,
    ]);
    const shell = spawnSync('sh', ['-c', `${exportLines({ V: "a'b $HOME &x" })[0]}; printf %s "$V"`], {
      encoding: 'utf8',
    });
    expect(shell.stdout).toBe("a'b $HOME &x");
  });
});
