import { silentLogger } from '../logger.js';
import type { HeadState, KeyParking, ParkedDrain, ParkedRecord } from './key-parking.js';
import { ParkedReleaser } from './parked-releaser.js';
import type { ParkedOutcome } from './parked-releaser.js';

/** An in-memory park of one group: keys with their state and waiting records; one claim per key at a time. */
function memoryParking(keys: Record<string, { state: HeadState | 'releasing'; records: number[] }>) {
  const claimed = new Set<string>();
  const settled: string[] = [];
  const record = (key: string, offset: number): ParkedRecord => ({
    origin: { topic: 'orders', partition: 0, offset: String(offset) },
    key: Buffer.from(key),
    value: null,
    headers: {},
    timestamp: '0',
  });
  const parking: KeyParking = {
    parkedAmong: async () => new Set(),
    park: async () => new Set<string>(),
    markHead: async () => {},
    headFinished: async () => true,
    releasing: async () =>
      Object.entries(keys)
        .filter(([, k]) => k.state === 'releasing')
        .map(([key]) => Buffer.from(key)),
    claim: async (_group, keyBytes): Promise<ParkedDrain | undefined> => {
      const key = String(keyBytes);
      if (claimed.has(key)) return undefined;
      claimed.add(key);
      return {
        next: async () => {
          const k = keys[key]!;
          if (k.state !== 'releasing') return undefined;
          const first = k.records[0];
          if (first === undefined) {
            delete keys[key];
            return undefined;
          }
          return record(key, first);
        },
        settle: async (r, head) => {
          const k = keys[key]!;
          k.records = k.records.filter((offset) => String(offset) !== r.origin.offset);
          settled.push(`${key}@${r.origin.offset}${head ? ` head:${head}` : ''}`);
          if (head) k.state = head;
        },
        close: async () => {
          claimed.delete(key);
        },
      };
    },
    parkedBehind: async () => ({ count: 0, origins: [] }),
    stats: async () => ({ keys: 0, records: 0, oldestParkedAt: undefined }),
  };
  return { parking, settled, keys };
}

/** Polls `check` for up to 5 s: the releaser works on its own timers and promises. */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 2_500 && !check(); i += 1) await new Promise((resolve) => setTimeout(resolve, 2));
  expect(check()).toBe(true);
}

describe('ParkedReleaser', () => {
  it('runs each released key in order, keys side by side, and forgets a key once empty', async () => {
    const { parking, settled, keys } = memoryParking({
      a: { state: 'releasing', records: [1, 3, 5] },
      b: { state: 'releasing', records: [2, 4] },
      c: { state: 'retrying', records: [6] },
    });
    const ran: string[] = [];
    const releaser = new ParkedReleaser({
      group: 'g',
      parking,
      run: async (record) => {
        ran.push(`${String(record.key)}@${record.origin.offset}`);
        return { kind: 'settled' };
      },
      concurrency: 2,
      sweepMs: 60_000,
      logger: silentLogger,
    });
    releaser.start();
    await until(() => keys.a === undefined && keys.b === undefined);
    await releaser.stop();
    expect(ran.filter((r) => r.startsWith('a'))).toEqual(['a@1', 'a@3', 'a@5']);
    expect(ran.filter((r) => r.startsWith('b'))).toEqual(['b@2', 'b@4']);
    expect(settled).toHaveLength(5);
    // A key whose head is still in a tier is not released.
    expect(keys.c).toEqual({ state: 'retrying', records: [6] });
  });

  it('stops at a record that fails again: it heads the key, the rest keep waiting', async () => {
    const { parking, settled, keys } = memoryParking({ a: { state: 'releasing', records: [1, 2, 3] } });
    const outcomes: ParkedOutcome[] = [{ kind: 'settled' }, { kind: 'settled', head: 'retrying' }];
    const releaser = new ParkedReleaser({
      group: 'g',
      parking,
      run: async () => outcomes.shift() ?? { kind: 'settled' },
      concurrency: 1,
      sweepMs: 60_000,
      logger: silentLogger,
    });
    releaser.start();
    await until(() => keys.a?.state === 'retrying');
    await releaser.stop();
    expect(settled).toEqual(['a@1', 'a@2 head:retrying']);
    expect(keys.a).toEqual({ state: 'retrying', records: [3] });
  });

  it('leaves a record that cannot run yet first in line, and takes the key up again', async () => {
    const { parking, settled, keys } = memoryParking({ a: { state: 'releasing', records: [1, 2] } });
    let refusals = 1;
    const releaser = new ParkedReleaser({
      group: 'g',
      parking,
      run: async () => (refusals-- > 0 ? { kind: 'later', ms: 1 } : { kind: 'settled' }),
      concurrency: 1,
      sweepMs: 60_000,
      logger: silentLogger,
    });
    releaser.start();
    await until(() => keys.a === undefined);
    await releaser.stop();
    expect(settled).toEqual(['a@1', 'a@2']);
  });
});
