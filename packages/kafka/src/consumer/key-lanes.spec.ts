import { CompletionFrontier, KeyLanes, Slots, laneOf } from './key-lanes.js';

/** A promise and its resolver, to finish work in the order a test chooses. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe('KeyLanes', () => {
  it('runs one key in order and other keys side by side', async () => {
    const lanes = new KeyLanes();
    const log: string[] = [];
    const first = gate();
    const a1 = lanes.run('a', async () => {
      log.push('a1 start');
      await first.opened;
      log.push('a1 end');
    });
    const a2 = lanes.run('a', async () => log.push('a2'));
    const b1 = lanes.run('b', async () => log.push('b1'));
    await b1;
    expect(log).toEqual(['a1 start', 'b1']);
    first.open();
    await Promise.all([a1, a2]);
    expect(log).toEqual(['a1 start', 'b1', 'a1 end', 'a2']);
  });

  it('runs the next record of a key after one that failed, and forgets idle keys', async () => {
    const lanes = new KeyLanes();
    const failed = lanes.run('a', async () => {
      throw new Error('boom');
    });
    const next = lanes.run('a', async () => 'ran');
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('ran');
    await new Promise((resolve) => setImmediate(resolve));
    expect(lanes.size).toBe(0);
  });
});

describe('CompletionFrontier', () => {
  it('commits only up to the first record not finished', () => {
    const frontier = new CompletionFrontier(['10', '11', '12', '13']);
    frontier.finish(1);
    frontier.finish(3);
    expect(frontier.advance()).toBeUndefined();
    expect(frontier.firstUnfinished).toBe('10');
    frontier.finish(0);
    expect(frontier.advance()).toBe('11');
    expect(frontier.firstUnfinished).toBe('12');
    frontier.finish(2);
    expect(frontier.advance()).toBe('13');
    expect(frontier.firstUnfinished).toBeUndefined();
    expect(frontier.advance()).toBeUndefined();
  });
});

describe('Slots', () => {
  it('lets at most the limit in, the next one in as one leaves', async () => {
    const slots = new Slots(2);
    await slots.acquire();
    await slots.acquire();
    let third = false;
    const waiting = slots.acquire().then(() => (third = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(third).toBe(false);
    slots.release();
    await waiting;
    expect(third).toBe(true);
  });
});

describe('laneOf', () => {
  it('is the key, or the record itself when it has none', () => {
    expect(laneOf(Buffer.from('k'), '5')).toBe(laneOf(Buffer.from('k'), '6'));
    expect(laneOf(null, '5')).not.toBe(laneOf(null, '6'));
    expect(laneOf(Buffer.alloc(0), '5')).not.toBe(laneOf(Buffer.alloc(0), '6'));
  });
});
