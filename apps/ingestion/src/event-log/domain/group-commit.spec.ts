import { GroupCommitWriter } from './group-commit.js';

const entry = (id: string) => ({ id });

/** A stand-in for the event log's write: records each transaction's entries, commits when told. */
function fakeLog(fail: (ids: string[]) => boolean = () => false) {
  const transactions: string[][] = [];
  const gates: Array<() => void> = [];
  const commit = async (entries: ReadonlyArray<{ id: string }>) => {
    const ids = entries.map((e) => e.id);
    transactions.push(ids);
    await new Promise<void>((resolve) => gates.push(resolve));
    if (fail(ids)) throw new Error(`cannot write ${ids.join(',')}`);
    // Ids ending in "dup" were seen before.
    return new Set(ids.filter((id) => !id.endsWith('dup')));
  };
  const release = async () => {
    while (gates.length === 0) await new Promise((resolve) => setImmediate(resolve));
    gates.shift()!();
  };
  return { commit, transactions, release };
}

describe('GroupCommitWriter', () => {
  it('writes a lone request at once, and what arrives meanwhile together in the next transaction', async () => {
    const log = fakeLog();
    const commit = new GroupCommitWriter(log.commit, { concurrency: 1 });
    const first = commit.write([entry('a')]);
    const rest = [commit.write([entry('b')]), commit.write([entry('c-dup')]), commit.write([entry('d')])];
    await log.release();
    expect(await first).toEqual(new Set(['a']));
    await log.release();
    const [b, c, d] = await Promise.all(rest);
    expect(log.transactions).toEqual([['a'], ['b', 'c-dup', 'd']]);
    expect(b!.has('b')).toBe(true);
    expect(c!.has('c-dup')).toBe(false);
    expect(d!.has('d')).toBe(true);
  });

  it("answers each request with its own new entries, never another request's of the same batch", async () => {
    const log = fakeLog();
    const commit = new GroupCommitWriter(log.commit, { concurrency: 1 });
    const first = commit.write([entry('a')]);
    const original = commit.write([entry('b')]);
    const duplicate = commit.write([entry('c-dup')]);
    await log.release();
    await log.release();
    await first;
    expect(log.transactions).toEqual([['a'], ['b', 'c-dup']]);
    expect(await original).toEqual(new Set(['b']));
    expect(await duplicate).toEqual(new Set());
  });

  it('keeps a transaction to maxEntries, never splitting one request', async () => {
    const log = fakeLog();
    const commit = new GroupCommitWriter(log.commit, { concurrency: 1, maxEntries: 2 });
    const writes = [
      commit.write([entry('a')]),
      commit.write([entry('b'), entry('c')]),
      commit.write([entry('d')]),
      commit.write([entry('e')]),
    ];
    for (let i = 0; i < 3; i++) await log.release();
    await Promise.all(writes);
    expect(log.transactions).toEqual([['a'], ['b', 'c'], ['d', 'e']]);
  });

  it('writes the requests of a failed batch one by one, so only the bad one fails', async () => {
    const log = fakeLog((ids) => ids.includes('bad'));
    const commit = new GroupCommitWriter(log.commit, { concurrency: 1 });
    const first = commit.write([entry('a')]);
    const good = commit.write([entry('b')]);
    const bad = commit.write([entry('bad')]);
    for (let i = 0; i < 4; i++) await log.release();
    await expect(first).resolves.toEqual(new Set(['a']));
    await expect(good).resolves.toEqual(new Set(['b']));
    await expect(bad).rejects.toThrow('cannot write bad');
    expect(log.transactions).toEqual([['a'], ['b', 'bad'], ['b'], ['bad']]);
  });
});
