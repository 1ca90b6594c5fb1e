import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  parseState,
  readState,
  removeState,
  stateFilePath,
  withStackLock,
  writeState,
} from './state-file.js';
import type { StackState } from './state-file.js';

const state: StackState = {
  format: 1,
  id: 'abc123',
  status: 'ready',
  createdAt: '2026-01-01T00:00:00.000Z',
  owner: { kind: 'cli', pid: 4242 },
  leases: [],
  endpoints: {
    source: 'local',
    kafka: { brokers: ['127.0.0.1:1'], version: '3.9.1' },
    registry: { url: 'http://127.0.0.1:2/apis/ccompat/v7' },
    postgres: { url: 'postgres://postgres@127.0.0.1:3/tributary' },
  },
  versions: { kafka: '3.9.1', apicurio: '3.0.9', postgres: '15' },
  ports: { kafka: 1, kafkaController: 4, registry: 2, postgres: 3 },
  dataDirs: ['/tmp/x'],
  logs: { kafka: '/l/kafka.log', registry: '/l/registry.log', postgres: '/l/postgres.log' },
  processes: [
    { name: 'kafka', pid: 100, marker: '-Dtributary.stack=t-abc123-kafka', logFile: '/l/kafka.log' },
  ],
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'testkit-state-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('state file', () => {
  it('round-trips through the file', () => {
    expect(readState(dir)).toBeUndefined();
    writeState(dir, state);
    expect(readState(dir)).toEqual(state);
    removeState(dir);
    expect(existsSync(stateFilePath(dir))).toBe(false);
  });

  it('treats a truncated or foreign file as no state', () => {
    expect(parseState('{"format":1,"id":')).toBeUndefined();
    expect(parseState(JSON.stringify({ ...state, format: 2 }))).toBeUndefined();
    expect(
      parseState(
        JSON.stringify({ ...state, processes: [{ name: 'kafka', pid: -1, marker: 'm', logFile: 'l' }] }),
      ),
    ).toBeUndefined();
    expect(
      parseState(
        JSON.stringify({ ...state, processes: [{ name: 'kafka', pid: 7, marker: '', logFile: 'l' }] }),
      ),
    ).toBeUndefined();
  });
});

describe('withStackLock', () => {
  const alive = (pid: number) => pid === process.pid;

  it('runs one holder at a time', async () => {
    const events: string[] = [];
    const holder = (name: string) =>
      withStackLock(
        dir,
        async () => {
          events.push(`${name} in`);
          await new Promise((r) => setTimeout(r, 20));
          events.push(`${name} out`);
        },
        { isAlive: alive },
      );
    await Promise.all([holder('a'), holder('b')]);
    expect(events).toEqual(['a in', 'a out', 'b in', 'b out']);
  });

  it('takes over a lock whose holder died', async () => {
    writeFileSync(join(dir, 'lock'), '999999');
    await expect(
      withStackLock(dir, async () => 'got it', { isAlive: alive, timeoutMs: 1_000 }),
    ).resolves.toBe('got it');
    expect(existsSync(join(dir, 'lock'))).toBe(false);
  });

  it('gives up on a live holder after the timeout', async () => {
    const live = (pid: number) => pid === 12345;
    writeFileSync(join(dir, 'lock'), '12345');
    await expect(
      withStackLock(dir, async () => 'never', { isAlive: live, timeoutMs: 300 }),
    ).rejects.toMatchObject({
      code: 'STACK_LOCK_TIMEOUT',
    });
  });
});
