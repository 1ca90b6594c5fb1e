import { SharedLoadCache } from './schema-cache.js';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('SharedLoadCache', () => {
  it('starts one load for concurrent misses of the same key', async () => {
    const cache = new SharedLoadCache<number, string>(10);
    const pending = deferred<string>();
    let loads = 0;
    const load = () => {
      loads += 1;
      return pending.promise;
    };
    const both = Promise.all([cache.get(1, load), cache.get(1, load)]);
    pending.resolve('schema-1');
    expect(await both).toEqual(['schema-1', 'schema-1']);
    expect(loads).toBe(1);
    expect(await cache.get(1, load)).toBe('schema-1');
    expect(loads).toBe(1);
  });

  it('does not cache a failed load, so the next miss tries again', async () => {
    const cache = new SharedLoadCache<number, string>(10);
    await expect(cache.get(1, () => Promise.reject(new Error('registry down')))).rejects.toThrow(
      'registry down',
    );
    expect(await cache.get(1, async () => 'ok')).toBe('ok');
  });

  it('evicts the least recently used entry beyond its size', async () => {
    const cache = new SharedLoadCache<number, string>(2);
    await cache.get(1, async () => 'a');
    await cache.get(2, async () => 'b');
    await cache.get(1, async () => 'unused'); // touch 1: 2 is now the oldest
    await cache.get(3, async () => 'c');
    expect(cache.size).toBe(2);
    expect(cache.peek(2)).toBeUndefined();
    expect(cache.peek(1)).toBe('a');
    expect(cache.peek(3)).toBe('c');
  });

  it('reports hits, misses, shared waits and errors', async () => {
    const seen: string[] = [];
    const cache = new SharedLoadCache<number, string>(5, (result) => seen.push(result));
    const pending = deferred<string>();
    const first = cache.get(1, () => pending.promise);
    const second = cache.get(1, () => pending.promise);
    pending.resolve('x');
    await Promise.all([first, second]);
    await cache.get(1, async () => 'x');
    await cache.get(2, () => Promise.reject(new Error('no'))).catch(() => {});
    expect(seen).toEqual(['miss', 'shared', 'hit', 'miss', 'error']);
  });
});
