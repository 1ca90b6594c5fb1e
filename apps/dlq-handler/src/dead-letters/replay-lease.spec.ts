import { inDoubtByTopic, inDoubtCheckMs, leaseRenewalMs } from './replay-lease.js';

describe('replay lease timing', () => {
  it('renews three times per lease, so two late renewals still keep the rows', () => {
    expect(leaseRenewalMs(30_000)).toBe(10_000);
    expect(leaseRenewalMs(1_000)).toBe(333);
    expect(leaseRenewalMs(90)).toBe(50);
  });

  it('looks for a dead replica’s rows every half lease, within 200 ms–30 s', () => {
    expect(inDoubtCheckMs(30_000)).toBe(15_000);
    expect(inDoubtCheckMs(100)).toBe(200);
    expect(inDoubtCheckMs(600_000)).toBe(30_000);
  });
});

describe('inDoubtByTopic', () => {
  it('groups rows by their existing tier from the earliest send, and lists those with no tier to read', () => {
    const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
    const rows = [
      { id: 'a', since: at(5) },
      { id: 'b', since: at(2) },
      { id: 'c', since: at(9) },
      { id: 'd', since: at(1) },
      { id: 'e', since: at(1) },
    ];
    const targets = new Map<string, string | undefined>([
      ['a', 'g.retry.5s'],
      ['b', 'g.retry.5s'],
      ['c', 'h.retry.1m'],
      ['d', 'gone.retry.5s'],
      ['e', undefined],
    ]);
    const { byTopic, nowhere } = inDoubtByTopic(rows, targets, new Set(['g.retry.5s', 'h.retry.1m']));
    expect(byTopic).toEqual(
      new Map([
        ['g.retry.5s', { ids: new Set(['a', 'b']), since: at(2) }],
        ['h.retry.1m', { ids: new Set(['c']), since: at(9) }],
      ]),
    );
    expect(nowhere).toEqual(['d', 'e']);
  });
});
